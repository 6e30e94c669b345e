package io.hactl.controller.vrrp;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The outcome of the receive checks for one packet: dropped for a {@link DropReason}, or an
 * {@link Advertisement} accepted for the election, with the checksum variant that matched and
 * any {@link Mismatch} worth a log line.
 *
 * @param drop       why it was dropped; null when accepted
 * @param advert     the advertisement; null when dropped before one could be read
 * @param header     the IP header it came in
 * @param checksum   the variant its checksum matched; null when not checked
 * @param mismatches configuration disagreements (accepted packets only)
 */
public record ReceiveVerdict(DropReason drop, Advertisement advert, IpHeader header, ChecksumMode checksum,
        Set<Mismatch> mismatches) {

    public ReceiveVerdict {
        Objects.requireNonNull(header, "header");
        if (drop == null && advert == null) {
            throw new IllegalArgumentException("an accepted verdict needs its advertisement");
        }
        mismatches = mismatches.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(mismatches));
    }

    static ReceiveVerdict dropped(DropReason reason, IpHeader header) {
        return new ReceiveVerdict(Objects.requireNonNull(reason), null, header, null, Set.of());
    }

    static ReceiveVerdict dropped(DropReason reason, Advertisement advert, IpHeader header, ChecksumMode checksum) {
        return new ReceiveVerdict(Objects.requireNonNull(reason), advert, header, checksum, Set.of());
    }

    static ReceiveVerdict accepted(Advertisement advert, IpHeader header, ChecksumMode checksum) {
        return new ReceiveVerdict(null, advert, header, checksum, Set.of());
    }

    /** True when the advertisement goes on to the state machine. */
    public boolean accepted() {
        return drop == null;
    }

    ReceiveVerdict withMismatches(Set<Mismatch> found) {
        return new ReceiveVerdict(drop, advert, header, checksum, found);
    }
}
