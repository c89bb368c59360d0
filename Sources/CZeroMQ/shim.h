#ifndef LIAISON_CZEROMQ_SHIM_H
#define LIAISON_CZEROMQ_SHIM_H
#include <zmq.h>
#include <errno.h>
#include <string.h>

// Small helpers so Swift need not juggle void pointers for integer options.
static inline int czmq_setsockopt_int(void *socket, int option, int value) {
    return zmq_setsockopt(socket, option, &value, sizeof(value));
}
static inline int czmq_setsockopt_int64(void *socket, int option, long long value) {
    int64_t v = (int64_t)value;
    return zmq_setsockopt(socket, option, &v, sizeof(v));
}
static inline int czmq_getsockopt_int(void *socket, int option, int *value) {
    size_t size = sizeof(*value);
    return zmq_getsockopt(socket, option, value, &size);
}
static inline int czmq_errno(void) { return zmq_errno(); }
#endif
