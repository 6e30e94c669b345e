package io.hactl.controller.vrrp;

/**
 * The numbers of VRRP version 3, each with the section of RFC 9568 that defines it (the same
 * sections in RFC 5798, which it obsoletes). Times are in centiseconds on the wire.
 */
public final class VrrpConstants {
    private VrrpConstants() {}

    /** IP protocol number of VRRP (section 5.1.1.4 for IPv4, 5.1.2.4 for IPv6: 112). */
    public static final int IP_PROTOCOL = 112;

    /** IPv4 multicast destination of advertisements (section 5.1.1.2). */
    public static final String IPV4_GROUP = "224.0.0.18";

    /** IPv6 multicast destination of advertisements (section 5.1.2.2). */
    public static final String IPV6_GROUP = "ff02::12";

    /** IPv4 TTL sent, and required on receipt (sections 5.1.1.3, 7.1). */
    public static final int IPV4_TTL = 255;

    /** IPv6 hop limit sent, and required on receipt (sections 5.1.2.3, 7.1). */
    public static final int IPV6_HOP_LIMIT = 255;

    /** The version this implementation speaks (section 5.2.1). */
    public static final int VERSION = 3;

    /** The only message type defined: ADVERTISEMENT (section 5.2.2). */
    public static final int TYPE_ADVERTISEMENT = 1;

    /** Lowest Virtual Router Identifier (section 5.2.3: 1-255). */
    public static final int VRID_MIN = 1;

    /** Highest Virtual Router Identifier (section 5.2.3). */
    public static final int VRID_MAX = 255;

    /** Priority of the router that owns the virtual addresses (section 5.2.4). */
    public static final int PRIORITY_OWNER = 255;

    /** Lowest priority a backup may use (section 5.2.4: 1-254). */
    public static final int PRIORITY_MIN = 1;

    /** Highest priority a backup may use (section 5.2.4). */
    public static final int PRIORITY_MAX_BACKUP = 254;

    /** Default priority of a backup (section 5.2.4 / 6.1). */
    public static final int PRIORITY_DEFAULT = 100;

    /**
     * Priority sent by the Active (master) router that stops participating, so that a backup
     * takes over after Skew_Time instead of Master_Down_Interval (sections 5.2.4, 6.4.3).
     */
    public static final int PRIORITY_SHUTDOWN = 0;

    /** Size of the fixed header before the address list (section 5.1: 8 octets). */
    public static final int HEADER_LENGTH = 8;

    /** Size of one IPv4 address in the list (section 5.2.9). */
    public static final int IPV4_ADDRESS_LENGTH = 4;

    /** Size of one IPv6 address in the list (section 5.2.9). */
    public static final int IPV6_ADDRESS_LENGTH = 16;

    /** Most addresses the 8-bit "Count IPvX Addr" field can announce (section 5.2.5). */
    public static final int MAX_ADDRESSES = 255;

    /** Mask of the 12-bit Max Adver Int field; the 4 bits above it are reserved (sections 5.2.6, 5.2.7). */
    public static final int MAX_ADVER_INT_MASK = 0x0FFF;

    /** Largest Max Adver Int: 4095 centiseconds, 40.95 s (section 5.2.7). */
    public static final int MAX_ADVER_INT_MAX = 4095;

    /**
     * Smallest Max Adver Int: 1 centisecond. A received 0 is dropped (section 7.1, erratum 8301:
     * a zero interval would make the master-down interval a bare skew time).
     */
    public static final int MAX_ADVER_INT_MIN = 1;

    /** Default Advertisement_Interval: 100 centiseconds (section 6.1). */
    public static final int ADVER_INT_DEFAULT = 100;

    /** Master_Down_Interval counts this many advertisement intervals (section 6.1). */
    public static final int DOWN_INTERVAL_ADVERTS = 3;

    /** Skew_Time is ((256 - Priority) * Master_Adver_Interval) / this (section 6.1). */
    public static final int SKEW_DIVISOR = 256;

    /** Nanoseconds in one centisecond, the unit of the interval fields. */
    public static final long NANOS_PER_CENTISECOND = 10_000_000L;
}
