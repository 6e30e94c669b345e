package io.hactl.controller.vrrp;

/**
 * Why a received VRRP packet was discarded: one value per check of RFC 9568 section 7.1 (and
 * the sections it leans on), in the order they are made. Each is counted in
 * {@link ReceiveCounters}; none throws.
 */
public enum DropReason {
    /** Fewer octets than the 8 of the fixed header (7.1: "the complete VRRP packet"). */
    TOO_SHORT,
    /** IPv4 TTL or IPv6 hop limit other than 255: the packet crossed a router (5.1.1.3, 5.1.2.3, 7.1). */
    BAD_TTL,
    /** Version other than 3 (5.2.1, 7.1); a VRRPv2 packet lands here. */
    BAD_VERSION,
    /** Type other than 1, ADVERTISEMENT (5.2.2, 7.1). */
    BAD_TYPE,
    /** "Count IPvX Addr" of 0 (5.2.5, erratum 8299: such an advertisement is ignored). */
    NO_ADDRESSES,
    /**
     * The length disagrees with the address count: addresses missing, or octets beyond the
     * last one (7.1: "the complete VRRP packet (including fixed fields, and IPvX address(es))").
     */
    LENGTH_MISMATCH,
    /** Neither checksum variant matches (5.2.8, 7.1); see {@link VrrpChecksum}. */
    BAD_CHECKSUM,
    /** Max Adver Int of 0 (7.1, erratum 8301). */
    ZERO_INTERVAL,
    /** No virtual router of this VRID (in this address family) on the receiving interface (7.1). */
    UNKNOWN_VRID,
    /**
     * Sent from this router's own primary address: its own advertisement looped back, which
     * the election must never see (an equal-priority tie with itself would never resolve).
     */
    FROM_SELF
}
