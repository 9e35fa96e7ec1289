// Linked into test binaries of a ThreadSanitizer build that load librdkafka (tests/tsan.sh).
//
// librdkafka uses C11 threads (thrd_create, mtx_lock, cnd_wait, ...). glibc implements them by
// calling its pthread functions internally, past TSan's interceptors, and g++ 12's libtsan does
// not intercept the C11 names: a thread librdkafka starts is unknown to TSan, which crashes at
// that thread's first intercepted call, and its locks are invisible. Defined here, in the
// executable, these names take precedence over glibc's for librdkafka.so (the dynamic linker
// looks in the executable first) and go through the intercepted pthread functions instead.
//
// The layouts are glibc's: thrd_t is pthread_t, mtx_t and cnd_t wrap pthread_mutex_t and
// pthread_cond_t, once_flag wraps pthread_once_t; the codes are <threads.h>'s.
#include <pthread.h>

#include <cerrno>
#include <cstdint>
#include <ctime>
#include <new>

namespace {

constexpr int thrd_success = 0, thrd_busy = 1, thrd_error = 2, thrd_nomem = 3, thrd_timedout = 4;
constexpr int mtx_recursive = 1;

int to_thrd(int pthread_result) {
    switch (pthread_result) {
    case 0: return thrd_success;
    case EBUSY: return thrd_busy;
    case ENOMEM: return thrd_nomem;
    case ETIMEDOUT: return thrd_timedout;
    default: return thrd_error;
    }
}

struct c11_start {
    int (*func)(void*);
    void* arg;
};

void* run_c11(void* p) {
    const c11_start start = *static_cast<c11_start*>(p);
    delete static_cast<c11_start*>(p);
    // As glibc: a C11 thread's int result travels as the pthread result (thrd_join reads it back).
    return reinterpret_cast<void*>(static_cast<std::intptr_t>(start.func(start.arg)));
}

}  // namespace

extern "C" {

int thrd_create(pthread_t* thr, int (*func)(void*), void* arg) {
    auto* start = new (std::nothrow) c11_start{func, arg};
    if (start == nullptr) return thrd_nomem;
    const int rc = pthread_create(thr, nullptr, run_c11, start);
    if (rc != 0) delete start;
    return to_thrd(rc);
}

int thrd_join(pthread_t thr, int* res) {
    void* result = nullptr;
    const int rc = pthread_join(thr, &result);
    if (rc == 0 && res != nullptr) *res = static_cast<int>(reinterpret_cast<std::intptr_t>(result));
    return to_thrd(rc);
}

int mtx_init(pthread_mutex_t* m, int type) {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    if ((type & mtx_recursive) != 0) pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    const int rc = pthread_mutex_init(m, &attr);
    pthread_mutexattr_destroy(&attr);
    return to_thrd(rc);
}
int mtx_lock(pthread_mutex_t* m) { return to_thrd(pthread_mutex_lock(m)); }
int mtx_unlock(pthread_mutex_t* m) { return to_thrd(pthread_mutex_unlock(m)); }
void mtx_destroy(pthread_mutex_t* m) { pthread_mutex_destroy(m); }

int cnd_init(pthread_cond_t* c) { return to_thrd(pthread_cond_init(c, nullptr)); }
int cnd_signal(pthread_cond_t* c) { return to_thrd(pthread_cond_signal(c)); }
int cnd_broadcast(pthread_cond_t* c) { return to_thrd(pthread_cond_broadcast(c)); }
int cnd_wait(pthread_cond_t* c, pthread_mutex_t* m) { return to_thrd(pthread_cond_wait(c, m)); }
int cnd_timedwait(pthread_cond_t* c, pthread_mutex_t* m, const timespec* until) {
    return to_thrd(pthread_cond_timedwait(c, m, until));
}
void cnd_destroy(pthread_cond_t* c) { pthread_cond_destroy(c); }

void call_once(pthread_once_t* flag, void (*func)()) { pthread_once(flag, func); }

}  // extern "C"
