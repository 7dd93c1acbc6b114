package progress_test

import (
	"io"
	"testing"

	"github.com/shoal-go/shoal/progress"
)

func BenchmarkAdd(b *testing.B) {
	progress.Configure(progress.Config{Output: io.Discard, Mode: progress.ModePlain})
	defer progress.Configure(progress.Config{})
	bar := progress.Start("bench", -1, nil)
	defer bar.Finish()

	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			bar.Add(1)
		}
	})
}

func BenchmarkAddSerial(b *testing.B) {
	progress.Configure(progress.Config{Output: io.Discard, Mode: progress.ModePlain})
	defer progress.Configure(progress.Config{})
	bar := progress.Start("bench", -1, nil)
	defer bar.Finish()

	b.ReportAllocs()
	for b.Loop() {
		bar.Add(1)
	}
}
