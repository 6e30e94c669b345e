package io.hactl.controller.daemon;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for an engine operation, bounded: a stuck engine fails the request or step, never hangs it. */
final class Await {
    private Await() {}

    static final Duration OP_TIMEOUT = Duration.ofMinutes(2);

    /** The operation's result; its own exception when it failed. */
    static <T> T result(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(OP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof Exception ex ? ex : new IllegalStateException(c);
        } catch (TimeoutException e) {
            throw new IllegalStateException("operation did not finish within " + OP_TIMEOUT.toSeconds() + " s");
        }
    }
}
