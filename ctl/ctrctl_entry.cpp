// ctrctl's and ctrctl-cp's main(): the program is ctrctl_main (ctl/main.cpp), which the
// device build's multi-call executable (multicall/main.cpp) runs as well.
#include "ctl/ctrctl_main.hpp"

int main(int argc, char** argv) {
  return ctrctl_main(argc, argv);
}
