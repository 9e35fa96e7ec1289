#pragma once
// Marks an initiating function: with the default token (asio::deferred) it returns the
// operation instead of starting it, so a call whose result is dropped would do nothing at all.
// The compiler says so (GCC and Clang warn by default; -Werror makes it an error). With a
// callback or another token that returns void there is nothing to discard and no warning.
#define KASIO_NODISCARD_OP                                                                          \
    [[nodiscard("with the default token (asio::deferred) nothing starts until the returned "       \
                "operation is awaited or invoked")]]
