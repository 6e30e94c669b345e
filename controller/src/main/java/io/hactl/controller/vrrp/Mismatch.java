package io.hactl.controller.vrrp;

/**
 * A received advertisement that disagrees with the local configuration of its virtual router
 * in a way RFC 9568 section 7.1 wants logged ("SHOULD log the event"), not dropped: the
 * advertisement still takes part in the election. Counted in {@link ReceiveCounters}.
 */
public enum Mismatch {
    /** "Count IPvX Addrs" or the address list differs from the configured addresses (7.1, MAY verify). */
    ADDRESS_LIST,
    /**
     * Max Adver Int differs from the configured Advertisement_Interval (7.1). A backup adopts
     * the master's interval anyway (6.4.2); VRRPv2 dropped such packets, version 3 does not.
     */
    ADVER_INTERVAL,
    /**
     * This node owns the addresses (priority 255), yet another router advertises them. RFC 9568
     * as published discards such packets (7.1); erratum 8298 makes it a check to log, as
     * keepalived does by default. The election still sees them: an owner held back (not in
     * sync) starts as backup and must hear the master; two owners on one link resolve by
     * address, and are logged (8.3.2).
     */
    ADDRESS_OWNER
}
