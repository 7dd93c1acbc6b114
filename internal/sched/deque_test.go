package sched

import "testing"

type intTask int

func (intTask) Run(*Worker) {}

// The ring wraps by mask: drive it through growth and wrap-around against
// a slice doing the same.
func TestDequeMatchesSlice(t *testing.T) {
	var d deque
	var model []Task
	next := 0
	for step := range 5000 {
		switch op := (step * 7919) % 5; {
		case op <= 2: // push more than pop, so it grows
			d.pushBack(intTask(next))
			model = append(model, intTask(next))
			next++
		case op == 3:
			got, ok := d.popFront()
			if ok != (len(model) > 0) || ok && got != model[0] {
				t.Fatalf("step %d: popFront = %v, %v; want %v", step, got, ok, model)
			}
			if ok {
				model = model[1:]
			}
		default:
			got, ok := d.popBack()
			if ok != (len(model) > 0) || ok && got != model[len(model)-1] {
				t.Fatalf("step %d: popBack = %v, %v", step, got, ok)
			}
			if ok {
				model = model[:len(model)-1]
			}
		}
		if d.len() != len(model) {
			t.Fatalf("step %d: len %d, want %d", step, d.len(), len(model))
		}
	}
}
