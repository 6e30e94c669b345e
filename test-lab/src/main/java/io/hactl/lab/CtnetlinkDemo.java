package io.hactl.lab;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.BatchResult;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.ConntrackEvents;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.ctnetlink.DecodeStats;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What hactl can do with a gateway's connection table today, shown live in the network namespace
 * it runs in: real TCP connections tracked by the kernel and seen through ctnetlink events, a
 * dump, and a batched load of many flows (what a failover commit will do).
 */
public final class CtnetlinkDemo {
    private CtnetlinkDemo() {}

    public static void main(String[] args) throws Exception {
        int bulk = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        DecodeStats stats = new DecodeStats();
        try (Conntrack ct = Conntrack.open(stats);
             ConntrackEvents events = ConntrackEvents.open(4 << 20, false, Duration.ofMillis(200), stats);
             ServerSocket server = new ServerSocket()) {
            step("1. open 3 real TCP connections on this namespace's loopback; the kernel tracks them");
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            List<Socket> clients = new ArrayList<>();
            List<Socket> accepted = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket a = server.accept();
                OutputStream out = c.getOutputStream();
                out.write('x');
                out.flush();
                InputStream in = a.getInputStream();
                in.read();
                a.getOutputStream().write('y');
                a.getOutputStream().flush();
                c.getInputStream().read();
                clients.add(c);
                accepted.add(a);
            }

            step("2. ctnetlink events hactl received for them (NEW / UPDATE as the handshake completes)");
            int shown = 0;
            for (int polls = 0; polls < 20 && shown < 12; polls++) {
                int[] n = {0};
                events.poll(new ConntrackEvents.Listener() {
                    @Override
                    public void onEvent(FlowEvent e) {
                        if (e.flow().orig().dstPort() == server.getLocalPort()) {
                            System.out.println("   event " + e.type() + "  " + e.flow());
                            n[0]++;
                        }
                    }

                    @Override
                    public void onOverrun() {
                        System.out.println("   events lost (overrun): a resync would be scheduled");
                    }
                });
                shown += n[0];
                if (n[0] == 0 && shown > 0) {
                    break;
                }
            }

            step("3. dump of the kernel table through ctnetlink");
            for (Flow f : ct.dump(Ctnl.AF_UNSPEC)) {
                System.out.println("   " + f);
            }

            step(String.format(Locale.ROOT, "4. batched load of %,d ESTABLISHED flows (what a failover commit does)", bulk));
            List<Flow> flows = new ArrayList<>(bulk);
            InetAddress dst = InetAddress.getByName("198.51.100.10");
            for (int i = 0; i < bulk; i++) {
                int host = i / 50_000;
                InetAddress src = InetAddress.getByAddress(new byte[] {10, (byte) (host >> 8), (byte) host, 1});
                flows.add(Flow.builder(Tuple.tcp(src, dst, 10_000 + i % 50_000, 443))
                        .status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED).timeout(600)
                        .protoInfo(TcpInfo.ofState(TcpInfo.ESTABLISHED)).build());
            }
            BatchResult r = ct.batch(flows, BatchMode.CREATE);
            System.out.printf(Locale.ROOT, "   %s in %.3f s = %,.0f flows/s%n", r, r.nanos() / 1e9,
                    bulk / (r.nanos() / 1e9));
            BatchResult again = ct.batch(flows.subList(0, 5), BatchMode.CREATE);
            System.out.println("   loading 5 of them again: " + again + " (each reported, nothing lost)");
            System.out.printf(Locale.ROOT, "   kernel table now holds %,d entries%n", ct.count());

            step("5. flush the synthetic flows (the 3 live connections come back as they send)");
            ct.flush(Ctnl.AF_INET);
            System.out.println("   entries after flush: " + ct.count());
            System.out.println("   decode counters: " + stats);
            for (Socket s : clients) {
                s.close();
            }
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    private static void step(String what) {
        System.out.println();
        System.out.println("== " + what);
    }
}
