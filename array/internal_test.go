package array

import "testing"

func TestZigguratAcceptance(t *testing.T) {
	key := streamKey(1, 0)
	slow := 0
	const n = 1 << 20
	for i := uint64(0); i < n; i++ {
		h := bits(key, i)
		layer := h & (zigN - 1)
		j := int64(h) >> 8
		if abs64(j) >= zigK[layer] {
			slow++
		}
	}
	if rate := float64(slow) / n; rate > 0.016 {
		t.Errorf("slow path taken for %.4f%% of draws, want about 1.5%%", 100*rate)
	}
}

func BenchmarkFillNormal(b *testing.B) {
	v := make([]float64, blockLen)
	key := streamKey(1, 0)
	i := uint64(0)
	for b.Loop() {
		fillNormal(v, 1, key, i, 0, 1)
		i += blockLen
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*blockLen), "ns/value")
}

func TestFillNormalMatchesNormal(t *testing.T) {
	v := make([]float64, 5000)
	key := streamKey(3, 0)
	fillNormal(v, 3, key, 77, 0, 1)
	for k, x := range v {
		if y := normal(3, key, 77+uint64(k)); x != y {
			t.Fatalf("fillNormal[%d] = %v, normal = %v", k, x, y)
		}
	}
}

func TestMalformedTasks(t *testing.T) {
	ctx := t.Context()
	short := block{Rows: 2, Cols: 2, Stride: 2, Data: make([]float64, 3)}
	if _, err := runChunks(ctx, chunkTask{Progs: []prog{{Rows: 2, Cols: 2, Leaves: []leaf{{Kind: opData, Blk: short}}, Code: []instr{{}}}}}); err == nil {
		t.Error("runChunks read 4 values from a block of 3")
	}
	ok := block{Rows: 2, Cols: 2, Stride: 2, Data: make([]float64, 4)}
	for name, code := range map[string][]instr{
		"empty":        nil,
		"leaf":         {{Leaf: 1}},
		"stack":        {{Op: bAdd}},
		"two values":   {{}, {}},
		"unregistered": {{}, {Op: uApply, Fn: "nope"}},
	} {
		if _, err := runChunks(ctx, chunkTask{Progs: []prog{{Rows: 2, Cols: 2, Leaves: []leaf{{Kind: opData, Blk: ok}}, Code: code}}}); err == nil {
			t.Errorf("runChunks ran a malformed program (%s)", name)
		}
	}
	if _, err := matMulChunk(ctx, mmTask{Rows: 2, Cols: 2, A: []block{ok}, B: []block{{Rows: 3, Cols: 2, Stride: 2, Data: make([]float64, 6)}}}); err == nil {
		t.Error("matMulChunk multiplied 2×2 by 3×2")
	}
	if _, err := assembleChunk(ctx, asmTask{Rows: 2, Cols: 2, Pieces: []piece{{Src: ok, SR: 1, Rows: 2, Cols: 2}}}); err == nil {
		t.Error("assembleChunk copied rows beyond its source")
	}
}

// normal is fillNormal for one element: the reference. It returns the standard normal of element i of seed's stream, whose
// first-round key is key0.
func normal(seed, key0, i uint64) float64 {
	h := bits(key0, i)
	layer := h & (zigN - 1)
	j := int64(h) >> 8 // 56 signed bits
	x := float64(j) * zigW[layer]
	if abs64(j) < zigK[layer] {
		return x
	}
	return normalSlow(seed, i, h)
}
