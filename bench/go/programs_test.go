// Go's side of gort's harness benchmark (bench/harness_bench.cc): the
// ping-pong and prime-sieve scenarios of harness/scenario/channel_scenarios.cc
// as Go programs, one op being one whole run of the program (its goroutines
// created, run to the end, and gone), so that the cost of one gort schedule
// (bare, traced, fully checked) is a ratio to Go running the same program
// once. bench/compare-go runs them with -cpu 1.
package gobench

import "testing"

// Three goroutines pass a ball round a ring of unbuffered channels, 20
// rounds each; main starts the ball and waits for the last pass.
func pingPong() int {
	const players, rounds = 3, 20
	var ring [players]chan int
	for i := range ring {
		ring[i] = make(chan int)
	}
	done := make(chan int)
	for p := 0; p < players; p++ {
		go func(p int) {
			for r := 0; r < rounds; r++ {
				ball := <-ring[p]
				if ball%players != p {
					panic("ping-pong: the ball skipped a player")
				}
				if p == players-1 && r == rounds-1 {
					done <- ball
					return
				}
				ring[(p+1)%players] <- ball + 1
			}
		}(p)
	}
	ring[0] <- 0
	return <-done
}

func BenchmarkPingPongProgram(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if pingPong() != 59 {
			b.Fatal("ping-pong: the ball lost a pass")
		}
	}
}

// The concurrent prime sieve (test/chan/sieve1.go), 15 primes. In gort the
// run's end abandons the generator and the filters, as a Go process's exit
// does; a benchmark loop cannot exit, so here main closes quit and each of
// them returns instead of leaking: one more wake-up per goroutine than
// gort's run pays.
func primeSieve() {
	quit := make(chan struct{})
	numbers := make(chan int)
	go func() {
		for i := 2; ; i++ {
			select {
			case numbers <- i:
			case <-quit:
				return
			}
		}
	}()
	primes := [...]int{2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47}
	in := numbers
	for _, want := range primes {
		prime := <-in
		if prime != want {
			panic("prime-sieve: wrong prime")
		}
		out := make(chan int)
		go func(in, out chan int, prime int) {
			for {
				var n int
				select {
				case n = <-in:
				case <-quit:
					return
				}
				if n%prime != 0 {
					select {
					case out <- n:
					case <-quit:
						return
					}
				}
			}
		}(in, out, prime)
		in = out
	}
	close(quit)
}

func BenchmarkPrimeSieveProgram(b *testing.B) {
	for i := 0; i < b.N; i++ {
		primeSieve()
	}
}
