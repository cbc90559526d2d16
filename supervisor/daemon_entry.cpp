// ctrd-daemon's main(): the program is ctrd::daemon_main (supervisor/main.cpp), which the
// device build's multi-call executable (multicall/main.cpp) runs as well.
#include "supervisor/daemon_main.hpp"

int main(int argc, char** argv) {
  return ctrd::daemon_main(argc, argv);
}
