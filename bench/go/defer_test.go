// Go's side of gort's defer and panic benchmarks (bench/defer_bench.cc):
// Go's runtime package has no stock benchmark of a defer at a function's
// return or of a panic recovered one frame up, so these are written here,
// doing per op exactly what BM_DeferReturn and BM_PanicRecover do.
// bench/compare-go runs them with -cpu 1.
package gobench

import "testing"

var sink int

// One call of a function that defers one call, which runs at its return.
//
//go:noinline
func deferReturn(x *int) {
	defer func() { *x++ }()
}

func BenchmarkDeferReturn(b *testing.B) {
	x := 0
	for i := 0; i < b.N; i++ {
		deferReturn(&x)
	}
	sink = x
}

// One call of a function that defers a recovering call and panics: the
// deferred call runs on top of the panic, recovers, and the function
// returns normally to the loop.
//
//go:noinline
func panicRecover(x *int) {
	defer func() {
		if r := recover(); r != nil {
			*x++
		}
	}()
	panic(42)
}

func BenchmarkPanicRecover(b *testing.B) {
	x := 0
	for i := 0; i < b.N; i++ {
		panicRecover(&x)
	}
	if x != b.N {
		b.Fatalf("recovered %d of %d panics", x, b.N)
	}
	sink = x
}
