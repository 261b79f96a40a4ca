/*
 * The machine's limit for the benchmark: a minimal epoll loop that, for each
 * IPv4 address of a range, connects to a port, sends the EPMD NAMES request
 * (00 01 6e) and reads to EOF, with at most N connections in flight and one
 * timeout per connection (checked in FIFO order: every deadline has the same
 * length). Prints how many connections ended which way.
 *
 * usage: connect-loop <first-ipv4> <count> <port> <in-flight> <timeout-ms>
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct { int fd; int connected; uint64_t deadline; } conn_t;

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s first-ipv4 count port in-flight timeout-ms\n", argv[0]);
    return 2;
  }
  struct in_addr first;
  if (inet_pton(AF_INET, argv[1], &first) != 1) return 2;
  uint32_t base = ntohl(first.s_addr);
  long count = atol(argv[2]);
  int port = atoi(argv[3]);
  int limit = atoi(argv[4]);
  uint64_t timeout = (uint64_t)atol(argv[5]);

  int ep = epoll_create1(0);
  /* Slots in a ring: connections start in order and share one timeout, so the
     oldest is always at the head. */
  conn_t *ring = calloc((size_t)limit, sizeof(conn_t));
  conn_t **byfd = calloc(1 << 20, sizeof(conn_t *));
  long head = 0, tail = 0, next = 0, done = 0;
  long refused = 0, timedout = 0, answered = 0, failed = 0;
  struct epoll_event events[1024];
  static const unsigned char names_req[3] = {0x00, 0x01, 0x6e};
  char buf[65536];

  while (done < count) {
    while (next < count && tail - head < limit) {
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      if (fd < 0) { perror("socket"); return 1; }
      struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
      sa.sin_addr.s_addr = htonl(base + (uint32_t)next);
      next++;
      conn_t *c = &ring[tail % limit];
      c->fd = fd; c->connected = 0; c->deadline = now_ms() + timeout;
      tail++;
      byfd[fd] = c;
      if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
        failed++; close(fd); c->fd = -1; byfd[fd] = NULL; done++;
        continue;
      }
      struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.fd = fd};
      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
    int n = epoll_wait(ep, events, 1024, 10);
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      conn_t *c = byfd[fd];
      if (!c || c->fd != fd) continue;
      int finish = 0;
      if (!c->connected) {
        int err = 0; socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err == ECONNREFUSED) { refused++; finish = 1; }
        else if (err != 0) { failed++; finish = 1; }
        else if (events[i].events & EPOLLOUT) {
          c->connected = 1;
          if (write(fd, names_req, 3) != 3) { failed++; finish = 1; }
          struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = fd};
          if (!finish) epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
        }
      } else {
        ssize_t r;
        while ((r = read(fd, buf, sizeof buf)) > 0) {}
        if (r == 0 || (r < 0 && errno != EAGAIN)) { answered++; finish = 1; }
      }
      if (finish) { close(fd); byfd[fd] = NULL; c->fd = -1; done++; }
    }
    /* Expire from the head; skip slots already finished. */
    uint64_t t = now_ms();
    while (head < tail) {
      conn_t *c = &ring[head % limit];
      if (c->fd >= 0) {
        if (c->deadline > t) break;
        close(c->fd); byfd[c->fd] = NULL; c->fd = -1; timedout++; done++;
      }
      head++;
    }
  }
  printf("done %ld refused %ld timeout %ld answered %ld failed %ld\n", done, refused, timedout, answered, failed);
  return 0;
}
