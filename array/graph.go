package array

import (
	"fmt"
	"strings"
)

// stageInfo describes one stage of the task graph, as Compute would run
// it: a shoal.Map of Tasks chunk tasks, or a source (no task).
type stageInfo struct {
	id    int
	label string
	tasks int
	deps  []int
}

// planner lays out the stages of a graph without running anything,
// mirroring run.materialise.
type planner struct {
	stages []*stageInfo
	memo   map[*node]int
}

func (p *planner) add(label string, tasks int, deps []int) int {
	s := &stageInfo{id: len(p.stages) + 1, label: label, tasks: tasks, deps: deps}
	p.stages = append(p.stages, s)
	return s.id
}

func chunksLabel(n *node) string {
	nr, nc := n.nchunks()
	if n.ndim < 2 {
		return fmt.Sprintf("%d chunks", nc)
	}
	return fmt.Sprintf("%d×%d chunks", nr, nc)
}

// expr describes the fused program of n, adding the stages it reads.
func (p *planner) expr(n *node, deps *[]int) string {
	switch {
	case n.op == opUnary:
		name := opNames[n.code]
		switch n.code {
		case uScale, uPow:
			return fmt.Sprintf("%s(%s, %g)", name, p.expr(n.in[0], deps), n.x)
		case uApply:
			return fmt.Sprintf("%s(%s)", n.fn, p.expr(n.in[0], deps))
		}
		return fmt.Sprintf("%s(%s)", name, p.expr(n.in[0], deps))
	case n.op == opBinary:
		return fmt.Sprintf("%s(%s, %s)", opNames[n.code], p.expr(n.in[0], deps), p.expr(n.in[1], deps))
	case n.op == opSlice:
		return fmt.Sprintf("slice(%s)", p.expr(n.in[0], deps))
	case n.op == opRechunk && fusable(n):
		return p.expr(n.in[0], deps)
	case n.op == opConst:
		return fmt.Sprintf("full(%g)", n.a)
	case n.op == opArange:
		return "arange"
	case n.op == opNormal:
		return fmt.Sprintf("normal(seed %d)", n.seed)
	case n.op == opUniform:
		return fmt.Sprintf("uniform(seed %d)", n.seed)
	case n.op == opData:
		return fmt.Sprintf("data%v", n.shape())
	}
	id := p.stage(n)
	*deps = append(*deps, id)
	return fmt.Sprintf("[stage %d]", id)
}

// stage returns the stage computing n whole.
func (p *planner) stage(n *node) int {
	if id, ok := p.memo[n]; ok {
		return id
	}
	var id int
	nr, nc := n.nchunks()
	var deps []int
	switch {
	case n.op == opData:
		id = p.add(fmt.Sprintf("from slice %v in %s (no task)", n.shape(), chunksLabel(n)), 0, nil)
	case n.op == opReduce:
		in := n.in[0]
		e := p.expr(in, &deps)
		inr, inc := in.nchunks()
		tasks := 0
		switch n.axis {
		case -1:
			tasks = (inr*inc + splitEvery - 1) / splitEvery
		case 0:
			tasks = inc * ((inr + splitEvery - 1) / splitEvery)
		case 1:
			tasks = inr * ((inc + splitEvery - 1) / splitEvery)
		}
		axis := "all"
		if n.axis >= 0 {
			axis = fmt.Sprintf("axis %d", n.axis)
		}
		id = p.add(fmt.Sprintf("%s over %s of %s, fused: %s; partials combined pairwise", redNames[n.code], axis, chunksLabel(in), e), tasks, deps)
	case fusable(n):
		e := p.expr(n, &deps)
		id = p.add(fmt.Sprintf("%s, fused: %s", chunksLabel(n), e), nr*nc, deps)
	case n.op == opMatMul:
		var ops [2]string
		for k, in := range n.in {
			if in.op == opTranspose {
				ops[k] = fmt.Sprintf("transpose of [stage %d], read transposed", p.stage(in.in[0]))
				deps = append(deps, p.stage(in.in[0]))
			} else {
				ops[k] = fmt.Sprintf("[stage %d]", p.stage(in))
				deps = append(deps, p.stage(in))
			}
		}
		id = p.add(fmt.Sprintf("matmul %s · %s into %s (blas64.Gemm)", ops[0], ops[1], chunksLabel(n)), nr*nc, deps)
	case n.op == opTranspose:
		d := p.stage(n.in[0])
		id = p.add(fmt.Sprintf("transpose of [stage %d] into %s", d, chunksLabel(n)), nr*nc, []int{d})
	case n.op == opRechunk:
		d := p.stage(n.in[0])
		id = p.add(fmt.Sprintf("rechunk of [stage %d] into %s", d, chunksLabel(n)), nr*nc, []int{d})
	}
	p.memo[n] = id
	return id
}

func (a *Array) plan() *planner {
	p := &planner{memo: map[*node]int{}}
	p.stage(a.n)
	return p
}

// Graph describes the task graph Compute would run for a, one stage per
// line, in the order they run: how many chunk tasks each runs, what each
// task computes (the fused chain of operations), and which earlier stages
// it reads. It runs nothing. For an invalid a it returns the error.
func (a *Array) Graph() string {
	if err := a.Err(); err != nil {
		return "error: " + err.Error() + "\n"
	}
	var b strings.Builder
	for _, s := range a.plan().stages {
		fmt.Fprintf(&b, "stage %d: %d tasks: %s\n", s.id, s.tasks, s.label)
	}
	return b.String()
}

// DOT returns the task graph of Graph in Graphviz's DOT language, a node
// per stage and an edge from each stage to the stages that read it
// (render it with dot -Tsvg).
func (a *Array) DOT() string {
	var b strings.Builder
	b.WriteString("digraph array {\n\trankdir=LR;\n\tnode [shape=box];\n")
	if err := a.Err(); err != nil {
		fmt.Fprintf(&b, "\terror [label=%q];\n}\n", err.Error())
		return b.String()
	}
	for _, s := range a.plan().stages {
		fmt.Fprintf(&b, "\ts%d [label=%q];\n", s.id, fmt.Sprintf("stage %d: %d tasks\n%s", s.id, s.tasks, s.label))
		for _, d := range s.deps {
			fmt.Fprintf(&b, "\ts%d -> s%d;\n", d, s.id)
		}
	}
	b.WriteString("}\n")
	return b.String()
}
