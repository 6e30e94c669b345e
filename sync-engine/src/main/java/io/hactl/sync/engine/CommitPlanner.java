package io.hactl.sync.engine;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.NatRange;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.Ctnl;
import java.time.Duration;

/**
 * Turns a flow from the external cache into what is written into the kernel on commit (as
 * conntrackd's commit does): the timeout is the configured commit timeout, or what was left of the
 * received timeout after the time since its last update (60 s if that ran out); TCP flows get
 * BE_LIBERAL in both directions unless window tracking is kept, because the new master never saw
 * the window and would otherwise drop in-window packets as invalid. Every written flow carries
 * the {@link OwnerMark}: it is the peer's until this node claims it by taking MASTER.
 *
 * <p>A translated flow gets its NAT back: the kernel reports NAT only as a reply tuple that is not
 * the inverse of the original, and sets a new entry's translation (the IPS_SRC_NAT / IPS_DST_NAT
 * bits the packets are rewritten by) only from CTA_NAT_SRC / CTA_NAT_DST, never from the reply
 * tuple or the status. Without them the new master would forward the flow untranslated. As
 * conntrackd does, the mapping is read off the reply tuple: where its destination differs from
 * the original source, source NAT to it; where its source differs from the original
 * destination, destination NAT to it (ports included when they differ). The reply tuple is then
 * written as the inverse of the original: the kernel maps that inverse, and one already mapped
 * would leave it nothing to translate (IPS_SRC_NAT_DONE without IPS_SRC_NAT).
 */
public final class CommitPlanner {
    /** Timeout given when the received one has run out since (conntrackd uses the same). */
    public static final long EXPIRED_FALLBACK_SECONDS = 60;

    private final Duration commitTimeout;
    private final boolean windowTracking;
    private final OwnerMark ownerMark;

    public CommitPlanner(Duration commitTimeout, boolean windowTracking, OwnerMark ownerMark) {
        this.commitTimeout = commitTimeout;
        this.windowTracking = windowTracking;
        this.ownerMark = java.util.Objects.requireNonNull(ownerMark, "ownerMark");
    }

    public Flow plan(Flow received, long updatedAtNanos, long nowNanos) {
        Flow.Builder b = received.toBuilder().id(Flow.ABSENT).mark(ownerMark.apply(received.mark()));
        b.timeout(timeout(received.timeout() == Flow.ABSENT ? -1 : received.timeout(), updatedAtNanos, nowNanos));
        Tuple o = received.orig();
        Tuple r = received.reply();
        if (r != null && received.snat() == null && received.dnat() == null) {
            boolean ports = Tuple.hasPorts(o.protocol());
            if (!r.dst().equals(o.src()) || ports && r.dstPort() != o.srcPort()) {
                b.snat(ports && r.dstPort() != o.srcPort() ? NatRange.to(r.dst(), r.dstPort()) : NatRange.to(r.dst()));
                b.reply(null);
            }
            if (!r.src().equals(o.dst()) || ports && r.srcPort() != o.dstPort()) {
                b.dnat(ports && r.srcPort() != o.dstPort() ? NatRange.to(r.src(), r.srcPort()) : NatRange.to(r.src()));
                b.reply(null);
            }
        }
        if (!windowTracking && received.protoInfo() instanceof TcpInfo t) {
            b.protoInfo(t.withFlags(t.flagsOrig() | Ctnl.IP_CT_TCP_FLAG_BE_LIBERAL,
                    t.flagsReply() | Ctnl.IP_CT_TCP_FLAG_BE_LIBERAL));
        }
        return b.build();
    }

    /** The committed timeout of a flow received with {@code received} seconds (-1: none). */
    long timeout(long received, long updatedAtNanos, long nowNanos) {
        if (commitTimeout != null) {
            return commitTimeout.toSeconds();
        }
        if (received < 0) {
            return EXPIRED_FALLBACK_SECONDS;
        }
        long elapsed = Math.max(0, (nowNanos - updatedAtNanos) / 1_000_000_000L);
        long timeout = received - elapsed;
        return timeout <= 0 ? EXPIRED_FALLBACK_SECONDS : timeout;
    }

    /** The mark a flow of the peer carrying {@code mark} is written with. */
    long mark(long mark) {
        return ownerMark.apply(mark);
    }

    /** Whether TCP window tracking is kept (no BE_LIBERAL). */
    boolean windowTracking() {
        return windowTracking;
    }
}
