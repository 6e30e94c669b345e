package io.hactl.controller.cli;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT as a request for a clean stop. The JVM's own handlers run the shutdown
 * hooks and exit 143 (130), which systemd records as a failed stop; with these the daemon closes
 * in order and exits 0. {@code sun.misc.Signal} (module jdk.unsupported) is the JDK's only way
 * to take a signal from the JVM; it is kept for this use.
 */
final class StopSignals {
    private static final String[] NAMES = {"TERM", "INT"};
    private final CountDownLatch requested = new CountDownLatch(1);
    private final SignalHandler[] previous = new SignalHandler[NAMES.length];
    private volatile String signal;

    private StopSignals() {}

    /** Installs the handlers; a signal that arrives from now on is remembered, never lost. */
    static StopSignals install() {
        StopSignals s = new StopSignals();
        for (int i = 0; i < NAMES.length; i++) {
            s.previous[i] = Signal.handle(new Signal(NAMES[i]), sig -> {
                s.signal = "SIG" + sig.getName();
                s.requested.countDown();
            });
        }
        return s;
    }

    /** Puts back the handlers found at {@link #install()}. */
    void restore() {
        for (int i = 0; i < NAMES.length; i++) {
            Signal.handle(new Signal(NAMES[i]), previous[i]);
        }
    }

    /** Blocks until SIGTERM or SIGINT; returns its name. */
    String await() throws InterruptedException {
        requested.await();
        return signal;
    }
}
