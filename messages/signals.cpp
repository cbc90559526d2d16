#include "messages/signals.hpp"

#include <strings.h>
#include <csignal>
#include <cstring>

#include "messages/error.hpp"

namespace ctrd {
namespace {

struct sig_entry {
  const char* name;
  int number;
};

constexpr sig_entry signal_table[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

bool all_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

int parse_rt(const std::string& t) {
  // t is upper-case without "SIG": RTMIN, RTMIN+n, RTMAX, RTMAX-n
  int base;
  std::string rest;
  if (t.rfind("RTMIN", 0) == 0) {
    base = SIGRTMIN;
    rest = t.substr(5);
    if (rest.empty()) return base;
    if (rest[0] != '+' || !all_digits(rest.substr(1))) return -1;
    if (rest.size() > 4) return -1;
    int v = base + std::stoi(rest.substr(1));
    return v <= SIGRTMAX ? v : -1;
  }
  if (t.rfind("RTMAX", 0) == 0) {
    base = SIGRTMAX;
    rest = t.substr(5);
    if (rest.empty()) return base;
    if (rest[0] != '-' || !all_digits(rest.substr(1))) return -1;
    if (rest.size() > 4) return -1;
    int v = base - std::stoi(rest.substr(1));
    return v >= SIGRTMIN ? v : -1;
  }
  return -1;
}

}  // namespace

int parse_signal(const std::string& text) {
  if (all_digits(text)) {
    if (text.size() <= 3) {
      int v = std::stoi(text);
      if (v >= 1 && v <= SIGRTMAX) return v;
    }
    throw error(ec::invalid_argument, "invalid signal: " + text);
  }
  std::string t;
  for (char c : text) t += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (t.rfind("SIG", 0) == 0) t = t.substr(3);
  for (const auto& e : signal_table)
    if (t == e.name) return e.number;
  if (int rt = parse_rt(t); rt > 0) return rt;
  throw error(ec::invalid_argument, "invalid signal: " + text);
}

std::string signal_name(int sig) {
  for (const auto& e : signal_table)
    if (e.number == sig && std::strcmp(e.name, "IOT") != 0 && std::strcmp(e.name, "POLL") != 0)
      return std::string("SIG") + e.name;
  if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
    if (sig == SIGRTMIN) return "SIGRTMIN";
    if (sig == SIGRTMAX) return "SIGRTMAX";
    return "SIGRTMIN+" + std::to_string(sig - SIGRTMIN);
  }
  return std::to_string(sig);
}

}  // namespace ctrd
