package io.hactl.controller.vrrp;

import java.io.IOException;
import java.net.InetAddress;

/**
 * The network under a {@link VrrpController}: raw sockets, rtnetlink addresses, gratuitous ARP
 * and neighbour advertisements. Called on the controller's loop thread only, in order; each call
 * returns quickly and reports a failure by throwing, which the controller counts and logs (it
 * never stops the loop).
 *
 * <p>What comes in goes the other way, by the controller's own methods, from any thread:
 * {@link VrrpController#onDatagram} for every VRRP datagram received and
 * {@link VrrpController#onLink} for every change of an interface's link (and once at start for
 * an interface that is down).
 */
public interface VrrpIo extends AutoCloseable {
    /**
     * This node's own address on {@code router}'s interface, of the router's family: the source
     * of its advertisements and the tie-break between equal priorities (RFC 9568 6.4.3); for
     * IPv6 the interface's link-local address (5.1.2.1). Asked once, when the controller is built.
     */
    InetAddress primaryAddress(RouterConfig router) throws IOException;

    /**
     * Sends {@code advert} on {@code router}'s interface from its primary address to the
     * family's multicast group, or to each of the router's unicast peers, sealing its checksum
     * for each destination (the pseudo-header names it) in the configured
     * {@link VrrpConfig#checksum} mode.
     */
    void send(RouterConfig router, Advertisement advert) throws IOException;

    /** Puts the router's virtual addresses on its interface; idempotent. */
    void addAddresses(RouterConfig router) throws IOException;

    /** Takes the router's virtual addresses off its interface; idempotent. */
    void removeAddresses(RouterConfig router) throws IOException;

    /** One round of gratuitous ARP (IPv4) or unsolicited neighbour advertisements (IPv6). */
    void announce(RouterConfig router) throws IOException;

    /** Takes a datagram {@link #receivePending} read: as {@link VrrpController#onDatagram}. */
    interface Receiver {
        void datagram(String iface, IpHeader header, byte[] message, long receivedAt);
    }

    /**
     * Hands {@code to} the datagrams the sockets hold now, without waiting, at most
     * {@link #PENDING_MAX} a socket: asked on the loop before a timer acts, so that advertisements
     * that arrived while the process did not run (a pause of the JVM) count before the master is
     * taken for silent. A datagram the receive thread has read and not handed over yet is handed
     * over before this returns. The receive thread delivers the rest as ever. None by default.
     */
    default void receivePending(Receiver to) throws IOException {
    }

    /** The most datagrams {@link #receivePending} takes from one socket at a time (a flood does not hold the loop). */
    int PENDING_MAX = 64;

    @Override
    void close() throws IOException;
}
