/* bench-helper: the tiny static program the benchmark runs as a container (and as a plain
 * child for the floor figures). Static, so it also runs inside the busybox rootfs.
 *
 *   bench-helper crash LOG      append "S <ns>" and "E <ns>" (CLOCK_REALTIME) to LOG, exit 1
 *                               (the crash-to-restarted probe: gap = next S - previous E)
 *   bench-helper termwait       wait for SIGTERM, then exit 0 at once (a handler, so that it
 *                               also works as PID 1 of a PID namespace, where a default
 *                               disposition would drop the signal)
 *   bench-helper loop N LOG     the floor of "crash": fork/exec "crash LOG" N times, waiting
 *                               for each (what a supervisor with zero overhead would do)
 *   bench-helper stamp          print <ns> (like `date +%s%N`)
 *   bench-helper ready FIFO     write one byte to FIFO (the readiness marker of bench/boot.py),
 *                               then wait for SIGTERM like termwait
 *   bench-helper spawn N FIFO   the floor of boot: fork/exec "ready FIFO" N times without
 *                               waiting, then wait for SIGTERM (bench/boot.py signals the
 *                               process group)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void append(int fd, char tag, long long ns) {
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%c %lld\n", tag, ns);
    if (write(fd, buf, (size_t)n) != n) _exit(3);
}

static void on_term(int sig) { (void)sig; _exit(0); }

static void wait_for_term(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    for (;;) pause();
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "crash") == 0) {
        long long s = now_ns();
        int fd = open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) return 2;
        append(fd, 'S', s);
        append(fd, 'E', now_ns());
        _exit(1);
    }
    if (argc >= 2 && strcmp(argv[1], "termwait") == 0) wait_for_term();
    if (argc >= 3 && strcmp(argv[1], "ready") == 0) {
        int fd = open(argv[2], O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "r", 1) != 1) _exit(2);
        close(fd);
        wait_for_term();
    }
    if (argc >= 4 && strcmp(argv[1], "spawn") == 0) {
        int n = atoi(argv[2]);
        for (int i = 0; i < n; i++) {
            pid_t p = fork();
            if (p == 0) {
                execl("/proc/self/exe", argv[0], "ready", argv[3], (char *)NULL);
                _exit(127);
            }
            if (p < 0) _exit(3);
        }
        wait_for_term();
    }
    if (argc >= 4 && strcmp(argv[1], "loop") == 0) {
        int n = atoi(argv[2]);
        for (int i = 0; i < n; i++) {
            pid_t p = fork();
            if (p == 0) {
                execl("/proc/self/exe", argv[0], "crash", argv[3], (char *)NULL);
                _exit(127);
            }
            int st;
            waitpid(p, &st, 0);
        }
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "stamp") == 0) {
        printf("%lld\n", now_ns());
        return 0;
    }
    fprintf(stderr, "usage: %s crash LOG | termwait | loop N LOG | stamp | ready FIFO | spawn N FIFO\n", argv[0]);
    return 2;
}
