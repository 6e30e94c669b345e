/**
 * The network half of hactl's own VRRPv3: what {@link io.hactl.controller.vrrp.Actions} needs
 * from the kernel, in the network namespace of the thread that opens it.
 * <ul>
 * <li>{@link io.hactl.controller.vrrp.net.VrrpSocket}: raw sockets of IP protocol 112 on one
 *     interface and family, to the group or unicast peers, TTL / hop limit 255; a bounded,
 *     poll-based receive that yields {@link io.hactl.controller.vrrp.net.Datagram}s for
 *     {@link io.hactl.controller.vrrp.ReceiveCheck}, and
 *     {@link io.hactl.controller.vrrp.net.VrrpSocket#awaitAny} for one thread over many sockets;</li>
 * <li>{@link io.hactl.controller.vrrp.net.Addresses}: interfaces by name with their index, MAC
 *     and up/down state ({@link io.hactl.controller.vrrp.net.Link}), and the virtual addresses
 *     added and removed through rtnetlink ({@link io.hactl.controller.vrrp.net.RtnlCodec}),
 *     IPv6 without duplicate address detection, repeats harmless;</li>
 * <li>{@link io.hactl.controller.vrrp.net.Announcer}: one round of gratuitous ARP
 *     ({@link io.hactl.controller.vrrp.net.ArpPacket}) and unsolicited neighbor advertisements
 *     ({@link io.hactl.controller.vrrp.net.NeighborAdvert}); the caller schedules the repeats.</li>
 * </ul>
 * Failures are {@link io.hactl.controller.vrrp.net.NetException}s naming the operation, the
 * interface and the errno; what the network sends is never thrown: a datagram without a
 * readable IP header is counted ({@link io.hactl.controller.vrrp.net.VrrpSocket#malformed}).
 *
 * <p>Tested by unit tests with byte fixtures (ARP, neighbor advertisement, rtnetlink messages,
 * IPv4 raw datagrams, socket structs) and by lab tests in test-lab
 * ({@code io.hactl.lab.vrrp}) against the kernel in two namespaces on a veth pair, with
 * keepalived 2.2.7 as the peer over IPv4 and IPv6.
 */
package io.hactl.controller.vrrp.net;
