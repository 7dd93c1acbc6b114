package traders

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/shoal-go/shoal"
	"github.com/shoal-go/shoal/progress"
)

// TopN is how many traders Result.Top lists.
const TopN = 5

// Result is the answer to the seed question. Run and Sequential return
// equal Results for equal Data.
type Result struct {
	// Traders counts the traders evaluated.
	Traders int
	// Smart lists the smart traders, by asset and then by trader id: the
	// seed question's smartTrader list.
	Smart []TraderResult
	// PerAsset summarises each asset, in asset order.
	PerAsset []AssetSummary
	// Top holds the TopN smart traders with the highest PnL, highest first
	// (ties by asset, then trader id); fewer if fewer are smart.
	Top []TraderResult
}

// AssetSummary is the per-asset part of the answer.
type AssetSummary struct {
	Asset   int
	Trades  int
	Traders int
	VWAP    float64 // volume-weighted average price, in cents
	Smart   int     // how many of the asset's traders are smart
	// SmartPnL is the realised PnL of the asset's smart traders together,
	// in cents.
	SmartPnL int64
}

// AssetOutcome is what one asset's task returns: the asset's summary and
// its smart traders.
type AssetOutcome struct {
	Summary AssetSummary
	Smart   []TraderResult
}

// AssetJob is the argument of AnalyzeAsset: the shared table and an asset.
type AssetJob struct {
	Data  shoal.Ref[Data]
	Asset int
}

// TraderJob is the argument of EvaluateTrader: the shared table, an asset
// and the position of one of its traders in trader-id order.
type TraderJob struct {
	Data   shoal.Ref[Data]
	Asset  int
	Trader int
}

// The two levels of the loop are registered functions, so that Run is the
// same program on a pool and on a cluster, where functions travel by name.
func init() {
	shoal.Register(AnalyzeAsset, shoal.Name("traders.AnalyzeAsset"))
	shoal.Register(EvaluateTrader, shoal.Name("traders.EvaluateTrader"))
}

// AnalyzeAsset is the outer loop's body: it selects the asset's rows, runs
// EvaluateTrader over its traders in a nested shoal.Map on the executor of
// the task (shoal.From), and summarises the asset.
func AnalyzeAsset(ctx context.Context, j AssetJob) (AssetOutcome, error) {
	b, err := bookFor(ctx, j.Data, j.Asset)
	if err != nil {
		return AssetOutcome{}, err
	}
	jobs := make([]TraderJob, len(b.traders))
	for i := range jobs {
		jobs[i] = TraderJob{Data: j.Data, Asset: j.Asset, Trader: i}
	}
	rs, err := shoal.Map(ctx, shoal.From(ctx), jobs, EvaluateTrader, shoal.Progress("traders"))
	if err != nil {
		return AssetOutcome{}, err
	}
	return summarize(*b, rs), nil
}

// EvaluateTrader is the inner loop's body: the verdict on one trader.
func EvaluateTrader(ctx context.Context, j TraderJob) (TraderResult, error) {
	d, err := j.Data.Get(ctx)
	if err != nil {
		return TraderResult{}, err
	}
	b, err := bookFor(ctx, j.Data, j.Asset)
	if err != nil {
		return TraderResult{}, err
	}
	if j.Trader < 0 || j.Trader >= len(b.traders) {
		return TraderResult{}, fmt.Errorf("traders: asset %d has no trader #%d", j.Asset, j.Trader)
	}
	return evaluate(ctx, d.Config.Seed, b, b.traders[j.Trader])
}

// Run answers the question for d on ex: a shoal.Map over the assets and,
// inside each asset's task, a nested shoal.Map over the asset's traders on
// the same executor (shoal.From), so both levels share ex's bound. The map
// over assets gets shoal.Progress("assets") and then opts; the maps over
// traders get shoal.Progress("traders"), drawn nested under the assets'
// bar. To draw no bars, send the progress package's output elsewhere.
//
// Run blocks until all the work has stopped. If ctx is done first it
// returns ctx's error promptly: no new trader starts, and running ones stop
// within a fraction of a millisecond. An invalid option returns an error
// wrapping shoal.ErrInvalidOption. A nil ex panics.
func Run(ctx context.Context, ex shoal.Executor, d Data, opts ...shoal.Option) (Result, error) {
	ref, err := shoal.Put(ctx, ex, d)
	if err != nil {
		return Result{}, err
	}
	defer func() { _ = ref.Release(context.WithoutCancel(ctx)) }() // best effort: Run's answer does not depend on it
	jobs := make([]AssetJob, d.Config.Assets)
	for a := range jobs {
		jobs[a] = AssetJob{Data: ref, Asset: a}
	}
	outer := append([]shoal.Option{shoal.Progress("assets")}, opts...)
	per, err := shoal.Map(ctx, ex, jobs, AnalyzeAsset, outer...)
	if err != nil {
		return Result{}, err
	}
	return analyse(per), nil
}

// Sequential answers the question for d with plain loops on the calling
// goroutine: the program Run parallelises, and its reference answer. Like
// a Python loop wrapped in tqdm, it draws a progress bar, "sequential",
// counting the assets done (see the progress package for where it goes).
func Sequential(d Data) Result {
	res, _ := SequentialContext(context.Background(), d) // never fails: no cancellation
	return res
}

// SequentialContext is Sequential with a context: if ctx is done before the
// loops finish, it returns ctx's error within a fraction of a millisecond.
func SequentialContext(ctx context.Context, d Data) (Result, error) {
	bar := progress.Start("sequential", d.Config.Assets, nil)
	defer bar.Finish()
	per := make([]AssetOutcome, 0, d.Config.Assets)
	for a := range d.Config.Assets {
		b := bookOf(d, a)
		rs := make([]TraderResult, 0, len(b.traders))
		for _, tt := range b.traders {
			r, err := evaluate(ctx, d.Config.Seed, &b, tt)
			if err != nil {
				return Result{}, err
			}
			rs = append(rs, r)
		}
		per = append(per, summarize(b, rs))
		bar.Add(1)
	}
	return analyse(per), nil
}

// summarize is the per-asset calculation after the traders' loop.
func summarize(b book, rs []TraderResult) AssetOutcome {
	r := AssetOutcome{Summary: AssetSummary{
		Asset:   b.asset,
		Trades:  len(b.prices),
		Traders: len(b.traders),
	}}
	if b.volume > 0 {
		r.Summary.VWAP = float64(b.notion) / float64(b.volume)
	}
	for _, t := range rs {
		if t.Smart {
			r.Smart = append(r.Smart, t)
			r.Summary.Smart++
			r.Summary.SmartPnL += t.PnL
		}
	}
	return r
}

// analyse is the analysis after all assets are done: the smart list, the
// per-asset table and the top traders.
func analyse(per []AssetOutcome) Result {
	var res Result
	res.PerAsset = make([]AssetSummary, 0, len(per))
	for _, a := range per {
		res.Traders += a.Summary.Traders
		res.PerAsset = append(res.PerAsset, a.Summary)
		res.Smart = append(res.Smart, a.Smart...)
	}
	top := slices.Clone(res.Smart)
	slices.SortFunc(top, func(x, y TraderResult) int {
		return cmp.Or(cmp.Compare(y.PnL, x.PnL), cmp.Compare(x.Asset, y.Asset), cmp.Compare(x.Trader, y.Trader))
	})
	res.Top = top[:min(TopN, len(top))]
	return res
}
