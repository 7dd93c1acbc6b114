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
