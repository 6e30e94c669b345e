package io.hactl.controller.vrrp;

/** The states of a virtual router (RFC 9568 section 6.4), plus FAULT. */
public enum VrrpState {
    /** Not started, or shut down (6.4.1). */
    INITIALIZE,
    /** Watching the master; takes over when it goes silent (6.4.2). */
    BACKUP,
    /** Forwarding for the virtual addresses and advertising (6.4.3; "Active" in RFC 9568). */
    MASTER,
    /**
     * Cannot serve: its interface is down, or another instance of its sync group is in FAULT.
     * Sends nothing and ignores advertisements until the fault clears (keepalived's FAULT).
     */
    FAULT
}
