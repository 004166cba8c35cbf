// A trace as a timeline: the Chrome trace event format ("JSON Object
// Format": {"traceEvents": [...]}), which ui.perfetto.dev and
// chrome://tracing open.
//
// One track (tid) per goroutine, named "goroutine N" by a thread_name
// metadata event (tid 0, "scheduler", when events happen there). Time is
// the step number, shown as microseconds. A goroutine's running spans are
// complete events (ph "X") from its kGoRun to its next kGoPark,
// kGoPreempt or kGoExit, or to the next kGoRun on the same M (an M runs
// one goroutine at a time; Event::m says which). Channel operations are instant events (ph "i", category
// "chan"); fired faults (fault decisions answered 1) are instants named
// "fault <site>" in category "fault" on the running goroutine's track;
// goroutine creation, readying, panics, recovers and Goexits are instants
// in category "goroutine". The runtime's own kFault events repeat the
// fault decisions and are left out.
//
// A run with several Ms gets a second process ("Ms", pid 2) with a track
// per M ("M0", "M1", ...): spans named "gN" while it runs goroutine N,
// "spinning" from kMSpin 1 to kMSpin 0, "idle" from kMIdle to kMWake
// (category "m"). A fault decision belongs to the M of the event before
// it.
#ifndef GORT_HARNESS_STRATEGY_PERFETTO_H
#define GORT_HARNESS_STRATEGY_PERFETTO_H

#include <span>
#include <string>

#include "strategy/trace.h"

namespace gort::harness {

std::string perfetto_json(std::span<const TraceEntry> entries);
// Returns "" on success, else one line naming the path and what failed.
std::string write_perfetto(const std::string& path, std::span<const TraceEntry> entries);

}  // namespace gort::harness

#endif  // GORT_HARNESS_STRATEGY_PERFETTO_H
