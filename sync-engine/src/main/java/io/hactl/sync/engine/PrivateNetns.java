package io.hactl.sync.engine;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import io.hactl.sync.ctnetlink.LibC;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A thread of its own in a new, empty network namespace (unshare(CLONE_NEWNET), root only), for
 * the rehearsal at start: sockets opened by {@link #call} belong to that namespace for their whole
 * life (its own conntrack table, its own loopback), whatever thread uses them later, and threads
 * the call starts are in it too. The namespace goes away with the thread and the last of its
 * sockets. Nothing of the host's (conntrack table, addresses, firewall) is seen or touched.
 */
final class PrivateNetns implements AutoCloseable {
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final int IFF_UP = 0x1;

    private final ExecutorService thread;

    private PrivateNetns(ExecutorService thread) {
        this.thread = thread;
    }

    /** A new namespace, with its loopback up when {@code loopbackUp}; fails without the right (EPERM). */
    static PrivateNetns create(String name, boolean loopbackUp) throws IOException {
        ExecutorService t = Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, name);
            th.setDaemon(true);
            return th;
        });
        PrivateNetns ns = new PrivateNetns(t);
        try {
            ns.call(() -> {
                LibC.unshare(LibC.CLONE_NEWNET);
                if (loopbackUp) {
                    loopbackUp();
                }
                return null;
            });
        } catch (Exception e) {
            t.shutdownNow();
            throw new IOException("no private network namespace: " + (e instanceof LastErrorException le
                    ? "unshare/ioctl errno " + le.getErrorCode() : e.getMessage()), e);
        }
        return ns;
    }

    /** Runs {@code work} on the namespace's thread (bounded: 10 s). */
    <T> T call(Callable<T> work) throws Exception {
        return call(work, java.time.Duration.ofSeconds(10));
    }

    /** Runs {@code work} on the namespace's thread, waiting at most {@code limit}. */
    <T> T call(Callable<T> work, java.time.Duration limit) throws Exception {
        try {
            return thread.submit(work).get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        } catch (TimeoutException e) {
            throw new TimeoutException("private network namespace: no answer within " + limit.toMillis() + " ms");
        }
    }

    /** Sets lo IFF_UP (SIOCSIFFLAGS): a new namespace's loopback is down. */
    private static void loopbackUp() {
        int fd = LibC.socket(AF_INET, SOCK_DGRAM, 0);
        try {
            byte[] ifreq = new byte[40]; // struct ifreq: ifr_name[16], then ifr_flags (short)
            byte[] lo = "lo".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(lo, 0, ifreq, 0, lo.length);
            LibC.ioctl(fd, new NativeLong(SIOCGIFFLAGS), ifreq);
            int flags = (ifreq[16] & 0xff) | (ifreq[17] & 0xff) << 8 | IFF_UP; // host (little-endian) short
            ifreq[16] = (byte) flags;
            ifreq[17] = (byte) (flags >> 8);
            LibC.ioctl(fd, new NativeLong(SIOCSIFFLAGS), ifreq);
        } finally {
            LibC.close(fd);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
