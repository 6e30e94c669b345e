package io.hactl.controller.vrrp;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * {@code role.vrrp}: hactl's own VRRP, one sync group of virtual routers that move together.
 *
 * @param advertInterval Advertisement_Interval, 10 ms .. 40.95 s in whole centiseconds (5.2.7)
 * @param preempt        Preempt_Mode (6.1)
 * @param preemptDelay   keepalived's preempt_delay; zero: preempt at once
 * @param checksum       how IPv4 checksums are sent (both are accepted on receive)
 * @param garpRepeat     rounds of gratuitous ARP / unsolicited NA after taking over, at least 1
 * @param garpInterval   time between two rounds
 * @param commitBudget   how long a takeover waits for the MASTER state steps (the conntrack
 *                       commit) before it adds the addresses anyway; zero: it does not wait
 * @param instances      the virtual routers, at least one; unique names, unique (interface,
 *                       family, vrid)
 */
public record VrrpConfig(Duration advertInterval, boolean preempt, Duration preemptDelay, ChecksumMode checksum,
        int garpRepeat, Duration garpInterval, Duration commitBudget, List<RouterConfig> instances) {

    public static final Duration DEFAULT_ADVERT_INTERVAL =
            Duration.ofMillis(VrrpConstants.ADVER_INT_DEFAULT * VrrpConstants.NANOS_PER_CENTISECOND / 1_000_000);
    public static final int DEFAULT_GARP_REPEAT = 3;
    public static final Duration DEFAULT_GARP_INTERVAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_COMMIT_BUDGET = Duration.ofSeconds(2);

    public VrrpConfig {
        Objects.requireNonNull(advertInterval, "advertInterval");
        Objects.requireNonNull(preemptDelay, "preemptDelay");
        Objects.requireNonNull(checksum, "checksum");
        Objects.requireNonNull(garpInterval, "garpInterval");
        Objects.requireNonNull(commitBudget, "commitBudget");
        long nanos = advertInterval.toNanos();
        if (nanos % VrrpConstants.NANOS_PER_CENTISECOND != 0
                || nanos / VrrpConstants.NANOS_PER_CENTISECOND < VrrpConstants.MAX_ADVER_INT_MIN
                || nanos / VrrpConstants.NANOS_PER_CENTISECOND > VrrpConstants.MAX_ADVER_INT_MAX) {
            throw new IllegalArgumentException("advert interval " + advertInterval.toMillis()
                    + " ms is not 10 ms .. 40.95 s in whole centiseconds");
        }
        if (preemptDelay.isNegative() || garpInterval.isNegative() || commitBudget.isNegative()) {
            throw new IllegalArgumentException("negative duration");
        }
        if (garpRepeat < 1) {
            throw new IllegalArgumentException("garp repeat " + garpRepeat + " below 1");
        }
        instances = List.copyOf(instances);
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("no instance");
        }
        Set<String> names = new HashSet<>();
        Set<String> routers = new HashSet<>();
        for (RouterConfig r : instances) {
            if (!names.add(r.name())) {
                throw new IllegalArgumentException("instance name " + r.name() + " given twice");
            }
            if (!routers.add(r.interfaceName() + " " + r.family() + " " + r.vrid())) {
                throw new IllegalArgumentException(r.name() + ": vrid " + r.vrid() + " on " + r.interfaceName()
                        + " (" + r.family() + ") given twice");
            }
        }
    }

    /** Advertisement_Interval in centiseconds, as the wire carries it. */
    public int advertIntervalCentis() {
        return (int) (advertInterval.toNanos() / VrrpConstants.NANOS_PER_CENTISECOND);
    }

    /** What {@code hactl config check} prints: the group's settings, then one line per instance. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("role: vrrp, advert-interval ").append(advertInterval.toMillis()).append(" ms, ")
                .append(preempt ? "preempt" + (preemptDelay.isZero() ? "" : " after " + preemptDelay.toMillis() + " ms")
                        : "no preempt")
                .append(", checksum ").append(checksum.configName())
                .append(", garp ").append(garpRepeat).append(" x ").append(garpInterval.toMillis()).append(" ms")
                .append(", commit-budget ").append(commitBudget.toMillis()).append(" ms");
        for (RouterConfig r : instances) {
            sb.append(System.lineSeparator()).append("  ").append(r.name()).append(": ").append(r.interfaceName())
                    .append(" vrid ").append(r.vrid()).append(" priority ").append(r.priority()).append(' ')
                    .append(r.addresses()).append(r.unicastPeers().isEmpty() ? " multicast"
                            : " unicast to " + r.unicastPeers().stream().map(java.net.InetAddress::getHostAddress).toList());
        }
        return sb.toString();
    }
}
