package io.hactl.controller.vrrp;

import java.net.InetAddress;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receive checks of RFC 9568 section 7.1 for the virtual routers of one interface and
 * address family: {@link AdvertCodec#decode}'s packet checks, then those that need the local
 * configuration (VRID configured, not our own advertisement), then the
 * comparisons the RFC wants logged but not enforced ({@link Mismatch}). Every verdict is
 * counted; drops and mismatches are logged at most every {@link #LOG_INTERVAL_NANOS} (with the
 * number held back since); nothing throws on what the network sends.
 */
public final class ReceiveCheck {
    private static final Logger LOG = LoggerFactory.getLogger(ReceiveCheck.class);
    static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final String interfaceName;
    private final IpFamily family;
    private final Map<Integer, InstanceConfig> byVrid = new HashMap<>();
    private final ReceiveCounters counters;
    private final LongSupplier nanos;
    private final LogLimiter dropLog = new LogLimiter(LOG_INTERVAL_NANOS);
    private final LogLimiter mismatchLog = new LogLimiter(LOG_INTERVAL_NANOS);

    /**
     * Checks for {@code instances} on {@code interfaceName}, all of {@code family} and of
     * distinct VRIDs; {@code nanos} is the monotonic clock that paces the log lines.
     */
    public ReceiveCheck(String interfaceName, IpFamily family, Collection<InstanceConfig> instances,
            ReceiveCounters counters, LongSupplier nanos) {
        this.interfaceName = Objects.requireNonNull(interfaceName);
        this.family = Objects.requireNonNull(family);
        this.counters = Objects.requireNonNull(counters);
        this.nanos = Objects.requireNonNull(nanos);
        for (InstanceConfig c : instances) {
            if (c.family() != family) {
                throw new IllegalArgumentException(c.name() + " is " + c.family() + ", not " + family);
            }
            InstanceConfig before = byVrid.putIfAbsent(c.vrid(), c);
            if (before != null) {
                throw new IllegalArgumentException(c.name() + " and " + before.name() + " share vrid " + c.vrid());
            }
        }
    }

    public ReceiveCounters counters() {
        return counters;
    }

    /** Checks the VRRP message {@code message[offset, offset + length)} that came in {@code header}. */
    public ReceiveVerdict check(IpHeader header, byte[] message, int offset, int length) {
        ReceiveVerdict verdict = judge(header, message, offset, length);
        counters.count(verdict);
        if (!verdict.accepted()) {
            logDrop(verdict);
        } else if (!verdict.mismatches().isEmpty()) {
            logMismatch(verdict);
        }
        return verdict;
    }

    private void logDrop(ReceiveVerdict v) {
        long held = dropLog.pass(nanos.getAsLong());
        if (held >= 0) {
            InstanceConfig local = v.advert() == null ? null : byVrid.get(v.advert().vrid());
            LOG.warn("{}: dropped a VRRP packet from {}: {}{}", local == null ? interfaceName : local.name(),
                    v.header().source().getHostAddress(), v.drop(), heldBack(held));
        }
    }

    private void logMismatch(ReceiveVerdict v) {
        long held = mismatchLog.pass(nanos.getAsLong());
        if (held >= 0) {
            InstanceConfig local = byVrid.get(v.advert().vrid());
            LOG.warn("{}: advertisement from {} disagrees with the configuration: {} (interval {} cs, addresses {}){}",
                    local.name(), v.header().source().getHostAddress(), v.mismatches(),
                    v.advert().maxAdverInterval(), v.advert().addresses().stream()
                            .map(InetAddress::getHostAddress).toList(), heldBack(held));
        }
    }

    private static String heldBack(long held) {
        return held > 0 ? " (" + held + " more since the last report)" : "";
    }

    /** {@link #check(IpHeader, byte[], int, int)} over the whole array. */
    public ReceiveVerdict check(IpHeader header, byte[] message) {
        return check(header, message, 0, message.length);
    }

    private ReceiveVerdict judge(IpHeader header, byte[] message, int offset, int length) {
        if (header.family() != family) {
            // The other family's virtual routers are other instances (section 1.2).
            return ReceiveVerdict.dropped(DropReason.UNKNOWN_VRID, header);
        }
        ReceiveVerdict decoded = AdvertCodec.decode(header, message, offset, length);
        if (!decoded.accepted()) {
            return decoded;
        }
        Advertisement advert = decoded.advert();
        InstanceConfig local = byVrid.get(advert.vrid());
        if (local == null) {
            return ReceiveVerdict.dropped(DropReason.UNKNOWN_VRID, advert, header, decoded.checksum());
        }
        if (header.source().equals(local.primaryAddress())) {
            return ReceiveVerdict.dropped(DropReason.FROM_SELF, advert, header, decoded.checksum());
        }
        Set<Mismatch> found = EnumSet.noneOf(Mismatch.class);
        if (local.owner()) {
            found.add(Mismatch.ADDRESS_OWNER);
        }
        if (advert.maxAdverInterval() != local.adverInterval()) {
            found.add(Mismatch.ADVER_INTERVAL);
        }
        if (!sameAddresses(advert, local)) {
            found.add(Mismatch.ADDRESS_LIST);
        }
        return found.isEmpty() ? decoded : decoded.withMismatches(found);
    }

    /** Same addresses in any order; the RFC does not fix one beyond IPv6's link-local first. */
    private static boolean sameAddresses(Advertisement advert, InstanceConfig local) {
        if (advert.addresses().size() != local.addresses().size()) {
            return false;
        }
        Set<InetAddress> mine = new HashSet<>(local.addresses());
        return mine.containsAll(advert.addresses());
    }
}
