/*
 * The floor of one RAPI exchange's software time on a pty rig: each side
 * does only what an event loop must (epoll_wait, read, write on a
 * descriptor registered once), no parsing, no firmware. Run by
 * bench/node/pty-floor.bench.ts, which compiles it with cc.
 *
 *   floor ctl PATH   answers every '\r'-terminated request with a $GS-sized reply
 *   floor gw PATH    for each line "MS" on stdin: sends $GS, waits for the
 *                    reply, again, for MS milliseconds; prints the count
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

static const char request[] = "$GS^30\r";
static const char reply[] = "$OK 01 0 01 0200^12\r";

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Waits until the descriptor is readable, reads what is there; the count of '\r' in it. */
static int receive(int ep, int fd) {
  static char buf[4096];
  struct epoll_event ev;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      int ends = 0;
      for (ssize_t i = 0; i < n; i++) ends += buf[i] == '\r';
      return ends;
    }
    if (n == 0 || errno != EAGAIN) return -1;
    if (epoll_wait(ep, &ev, 1, -1) < 0 && errno != EINTR) return -1;
  }
}

int main(int argc, char **argv) {
  if (argc != 3 || (strcmp(argv[1], "gw") && strcmp(argv[1], "ctl"))) {
    fprintf(stderr, "usage: floor gw|ctl PATH\n");
    return 2;
  }
  int fd = open(argv[2], O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    perror(argv[2]);
    return 1;
  }
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  if (argv[1][0] == 'c') {
    for (;;) {
      int ends = receive(ep, fd);
      if (ends < 0) return 0;
      while (ends-- > 0) write(fd, reply, sizeof reply - 1);
    }
  }
  printf("ready\n");
  fflush(stdout);
  char line[64];
  while (fgets(line, sizeof line, stdin)) {
    double until = now_ms() + atof(line);
    long count = 0;
    while (now_ms() < until) {
      write(fd, request, sizeof request - 1);
      int got = 0;
      while (!got) {
        int ends = receive(ep, fd);
        if (ends < 0) return 1;
        got = ends;
      }
      count++;
    }
    printf("%ld\n", count);
    fflush(stdout);
  }
  return 0;
}
