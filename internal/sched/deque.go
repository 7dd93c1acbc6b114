package sched

// deque is a growable ring buffer of tasks. The owner of a slot pushes and
// pops at the back (LIFO, for locality: the newest task's data is hot);
// thieves and the shared queue take from the front (FIFO, oldest first).
// It is not safe for concurrent use: the Pool's mutex guards every deque.
type deque struct {
	buf  []Task
	head int // index of the front element
	n    int // number of elements
}

func (d *deque) len() int { return d.n }

func (d *deque) pushBack(t Task) {
	if d.n == len(d.buf) {
		d.grow()
	}
	d.buf[(d.head+d.n)%len(d.buf)] = t
	d.n++
}

func (d *deque) popBack() (Task, bool) {
	if d.n == 0 {
		return nil, false
	}
	d.n--
	i := (d.head + d.n) % len(d.buf)
	t := d.buf[i]
	d.buf[i] = nil
	return t, true
}

func (d *deque) popFront() (Task, bool) {
	if d.n == 0 {
		return nil, false
	}
	t := d.buf[d.head]
	d.buf[d.head] = nil
	d.head = (d.head + 1) % len(d.buf)
	d.n--
	return t, true
}

func (d *deque) grow() {
	size := 2 * len(d.buf)
	if size == 0 {
		size = 16
	}
	buf := make([]Task, size)
	for i := 0; i < d.n; i++ {
		buf[i] = d.buf[(d.head+i)%len(d.buf)]
	}
	d.buf, d.head = buf, 0
}
