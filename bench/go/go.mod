module gort.example/bench/go

go 1.19
