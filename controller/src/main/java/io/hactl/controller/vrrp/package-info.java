/**
 * hactl's own VRRPv3 (RFC 9568, wire-compatible with keepalived and RFC 5798): the pure part,
 * without sockets.
 * <ul>
 * <li>{@link io.hactl.controller.vrrp.VrrpConstants}: every protocol number, with its section;</li>
 * <li>{@link io.hactl.controller.vrrp.Advertisement} and {@link io.hactl.controller.vrrp.AdvertCodec}:
 *     the message and its stateless encode / decode, the checksum in both variants
 *     ({@link io.hactl.controller.vrrp.VrrpChecksum}, {@link io.hactl.controller.vrrp.ChecksumMode});</li>
 * <li>{@link io.hactl.controller.vrrp.ReceiveCheck}: the receive checks of section 7.1, each drop a
 *     {@link io.hactl.controller.vrrp.DropReason} counted in
 *     {@link io.hactl.controller.vrrp.ReceiveCounters}, never an exception;</li>
 * <li>{@link io.hactl.controller.vrrp.VrrpInstance}: the state machine of section 6.4 on an
 *     injected monotonic clock, with explicit deadlines and its effects behind
 *     {@link io.hactl.controller.vrrp.Actions};</li>
 * <li>{@link io.hactl.controller.vrrp.SyncGroup}: instances that move together, and the hold-back
 *     of a node not yet in sync with its peer;</li>
 * <li>{@link io.hactl.controller.vrrp.VrrpController}: the loop that runs the group from
 *     {@link io.hactl.controller.vrrp.VrrpConfig} ({@code role.vrrp}) on one
 *     {@link io.hactl.controller.vrrp.VrrpLoop} over a {@link io.hactl.controller.vrrp.VrrpIo} (the
 *     sockets, addresses and announcements of the network half): a takeover runs the
 *     {@link io.hactl.controller.vrrp.GroupSteps} (the commit) first, then adds the addresses,
 *     then announces them; its status is {@link io.hactl.controller.vrrp.VrrpStatus}. Its parts:
 *     {@link io.hactl.controller.vrrp.Member} (one instance and its advertisements),
 *     {@link io.hactl.controller.vrrp.ReceiveDispatch} (received advertisements to their instance),
 *     {@link io.hactl.controller.vrrp.TransitionRunner} (the takeover and leave order, the commit
 *     budget) over {@link io.hactl.controller.vrrp.GroupAddresses} (the addresses, added, removed
 *     and announced), {@link io.hactl.controller.vrrp.IoFailures} (failed network calls, counted
 *     and logged at a limited rate) and {@link io.hactl.controller.vrrp.StatusSnapshot} (what
 *     status shows).</li>
 * </ul>
 * It knows nothing of conntrack: the role machine joins the two.
 *
 * <p>Tested by unit tests only: byte fixtures recorded from keepalived 2.2.7 (IPv4 and IPv6),
 * table cases per drop reason, round trips and random input for the codec; state-machine
 * scenarios on a fake clock that runs the deadlines in order, as an event loop would; the
 * controller on a virtual-time loop over a fake network, two controllers wired back to back, and
 * each of its parts on its own over the same fake network.
 */
package io.hactl.controller.vrrp;
