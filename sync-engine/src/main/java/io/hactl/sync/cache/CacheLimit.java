package io.hactl.sync.cache;

import io.hactl.sync.sys.Sysctl;
import java.nio.file.Path;

/**
 * The default limit of flows per cache: the kernel's table size ({@code nf_conntrack_max}) read
 * at start, and at least {@link #FLOOR} (2,097,152). A cache mirrors a conntrack table (the
 * internal one this node's, the external one the peer's, normally sized alike), so a limit below
 * the table refuses flows the kernel holds, and the floor covers a peer whose table is larger or
 * a kernel whose size is raised after the start. A limit costs no heap until flows arrive: a
 * {@link FlowStore} grows with its content.
 */
public final class CacheLimit {
    /** The least default: 2M flows, what real gateways hold at most. */
    public static final int FLOOR = 1 << 21;
    /** Where the kernel tells its table size. */
    public static final Path NF_CONNTRACK_MAX = Path.of("/proc/sys/net/netfilter/nf_conntrack_max");

    private CacheLimit() {
    }

    /** The default limit on this machine: {@link #forKernelMax} of {@code nf_conntrack_max}. */
    public static int byDefault() {
        return forKernelMax(kernelMax(NF_CONNTRACK_MAX));
    }

    /** {@code max(kernelMax, FLOOR)}, within {@link FlowStore#MAX_LIMIT}; an unknown size ({@code < 0}) gives the floor. */
    public static int forKernelMax(long kernelMax) {
        return (int) Math.min(FlowStore.MAX_LIMIT, Math.max(FLOOR, kernelMax));
    }

    /** The number in {@code file}, or -1 when it cannot be read (no conntrack module loaded, not Linux). */
    static long kernelMax(Path file) {
        return Sysctl.readLong(file);
    }
}
