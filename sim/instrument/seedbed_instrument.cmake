# seedbed_instrument(target): memory-access scheduling points for the code under test
# (sim/instrument/instrument.h). Compiles `target`'s own sources with -fsanitize=thread, so the
# compiler calls __tsan_read4, __tsan_atomic32_fetch_add, ... at every memory access and atomic,
# but adds nothing to any link line: the callbacks come from seedbed::instrument, an OBJECT library
# that the executable links directly (as seedbed::foreign), not from libtsan. In a build with
# -fsanitize=address (which cannot be combined with thread) the target's sources drop ASan and keep
# the other sanitizers; the rest of the program keeps ASan. A program without instrumented code
# behaves exactly as before.
#   add_library(my_engine STATIC engine.cc)
#   seedbed_instrument(my_engine)
#   target_link_libraries(my_tests PRIVATE my_engine seedbed::instrument seedbed::foreign seedbed::seedbed)
function(seedbed_instrument target)
  target_compile_options(${target} PRIVATE -fno-sanitize=address -fsanitize=thread
                         $<$<CXX_COMPILER_ID:GNU>:-Wno-tsan>)
endfunction()
