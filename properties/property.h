// The properties this binary checks, each a function that runs one
// RapidCheck check (rc::check) and returns whether it held. RapidCheck's
// configuration comes from RC_PARAMS (ctest sets a fixed seed and a test
// count: see CMakeLists.txt).
#ifndef GORT_PROPERTIES_PROPERTY_H
#define GORT_PROPERTIES_PROPERTY_H

namespace gort::properties {

// Chan<int64_t>, commands from several goroutines under a random schedule,
// against the sequential ChanModel (chan_model_property.cc).
bool chan_model_property();

// Random programs under random strategies and faults: invariants, the
// channel oracle and Go's outcomes (random_programs_property.cc).
bool random_programs_property();

// Recording a run's decisions and replaying them (through the replay
// file format) reproduces it exactly (replay_property.cc).
bool replay_property();

}  // namespace gort::properties

#endif  // GORT_PROPERTIES_PROPERTY_H
