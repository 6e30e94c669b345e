package io.hactl.sync.ctnetlink;

import io.hactl.sync.netlink.Errno;

import java.util.Map;
import java.util.TreeMap;

/**
 * Per-flow outcome of a batched write: errno 0 for success, the kernel's errno otherwise
 * (EEXIST, ENOENT, ...). ENOBUFS means the answer was lost in a receive-buffer overrun, so the
 * outcome is unknown.
 */
public final class BatchResult {
    private final int[] errnos;
    private final long nanos;
    private final int sends;

    BatchResult(int[] errnos, long nanos, int sends) {
        this.errnos = errnos;
        this.nanos = nanos;
        this.sends = sends;
    }

    public int size() {
        return errnos.length;
    }

    public int errno(int index) {
        return errnos[index];
    }

    public boolean ok(int index) {
        return errnos[index] == 0;
    }

    public int succeeded() {
        return count(0);
    }

    public int failed() {
        return errnos.length - succeeded();
    }

    public int count(int errno) {
        int n = 0;
        for (int e : errnos) {
            if (e == errno) {
                n++;
            }
        }
        return n;
    }

    /** Failures grouped by errno, e.g. {EEXIST=3}. */
    public Map<String, Integer> failures() {
        Map<String, Integer> m = new TreeMap<>();
        for (int e : errnos) {
            if (e != 0) {
                m.merge(Errno.name(e), 1, Integer::sum);
            }
        }
        return m;
    }

    /** Wall time the batch took, in nanoseconds. */
    public long nanos() {
        return nanos;
    }

    /** Number of send system calls it took. */
    public int sends() {
        return sends;
    }

    @Override
    public String toString() {
        return succeeded() + "/" + size() + " ok" + (failed() > 0 ? ", failed " + failures() : "")
                + " in " + sends + " sends";
    }
}
