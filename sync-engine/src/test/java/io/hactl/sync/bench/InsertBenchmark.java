package io.hactl.sync.bench;

import io.hactl.sync.sys.Sockets;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.BatchResult;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.Ctnl;
import java.io.IOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Insert and dump rates of hactl's ctnetlink layer against conntrack(8) on the same kernel, in
 * the network namespace it is started in (bench/ctnetlink-bench runs it in a fresh one).
 * Not a test: it prints figures. Usage: InsertBenchmark [--runs N] SIZE...
 */
public final class InsertBenchmark {

    record Row(String what, int size, double seconds) {
        double rate() {
            return size / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        int runs = 3;
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--runs")) {
                runs = Integer.parseInt(args[++i]);
            } else {
                sizes.add(Integer.parseInt(args[i]));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(100_000, 250_000);
        }
        List<String> report = new ArrayList<>();
        report.add(String.format(Locale.ROOT, "%-44s %9s %10s %12s", "operation", "entries", "seconds", "entries/s"));
        try (Conntrack ct = Conntrack.open()) {
            for (int size : sizes) {
                List<Flow> flows = flows(size);
                Path file = Files.createTempFile("hactl-bench", ".ct");
                try {
                    writeRestoreFile(flows, file);
                    double batch = median(runs, () -> timeBatch(ct, flows));
                    double dump = median(runs, () -> timeDump(ct, size));
                    double acked = median(1, () -> timeAcked(ct, flows));
                    double tool = median(runs, () -> timeConntrackRestore(ct, file, size));
                    double toolList = median(runs, () -> timeConntrackList(size));
                    ct.flush(Sockets.AF_UNSPEC);
                    report.add(line("hactl batched CT_NEW (256 msgs/send)", size, batch));
                    report.add(line("hactl CT_NEW one acked request each", size, acked));
                    report.add(line("conntrack -R FILE (one -I per line)", size, tool));
                    report.add(line("hactl dump", size, dump));
                    report.add(line("conntrack -L > /dev/null", size, toolList));
                    report.add(String.format(Locale.ROOT, "  ratio insert hactl batched / conntrack -R: %.2fx   dump hactl / conntrack -L: %.2fx",
                            tool / batch, toolList / dump));
                } finally {
                    Files.deleteIfExists(file);
                }
            }
        }
        System.out.println();
        System.out.println("ctnetlink benchmark (median of " + runs + " runs; kernel " + System.getProperty("os.version") + ")");
        report.forEach(System.out::println);
    }

    interface Timed {
        double seconds() throws Exception;
    }

    static double median(int runs, Timed t) throws Exception {
        double[] s = new double[runs];
        for (int i = 0; i < runs; i++) {
            s[i] = t.seconds();
        }
        Arrays.sort(s);
        return s[runs / 2];
    }

    static String line(String what, int size, double seconds) {
        return String.format(Locale.ROOT, "%-44s %9d %10.3f %12.0f", what, size, seconds, size / seconds);
    }

    static List<Flow> flows(int n) throws UnknownHostException {
        List<Flow> out = new ArrayList<>(n);
        InetAddress dst = InetAddress.getByName("198.51.100.10");
        for (int i = 0; i < n; i++) {
            // 10.x.y.z sources, 50,000 ports each: distinct tuples
            int host = i / 50_000;
            InetAddress src = InetAddress.getByAddress(new byte[] {10, (byte) (host >> 8), (byte) host, 1});
            out.add(Flow.builder(Tuple.tcp(src, dst, 10_000 + i % 50_000, 443))
                    .status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED)
                    .timeout(3600)
                    .protoInfo(TcpInfo.ofState(TcpInfo.ESTABLISHED))
                    .build());
        }
        return out;
    }

    static void writeRestoreFile(List<Flow> flows, Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file)) {
            for (Flow f : flows) {
                Tuple t = f.orig();
                w.write("-I -p tcp -s " + t.src().getHostAddress() + " -d " + t.dst().getHostAddress()
                        + " --sport " + t.srcPort() + " --dport " + t.dstPort()
                        + " --state ESTABLISHED -t 3600 -u SEEN_REPLY,ASSURED\n");
            }
        }
    }

    static double timeBatch(Conntrack ct, List<Flow> flows) throws Exception {
        ct.flush(Sockets.AF_UNSPEC);
        long t0 = System.nanoTime();
        BatchResult r = ct.batch(flows, BatchMode.CREATE);
        double s = (System.nanoTime() - t0) / 1e9;
        check(r.succeeded() == flows.size(), "batched insert: " + r);
        check(ct.count() == flows.size(), "batched insert left " + ct.count() + " entries");
        return s;
    }

    static double timeAcked(Conntrack ct, List<Flow> flows) throws Exception {
        ct.flush(Sockets.AF_UNSPEC);
        ct.setBatchLimits(1, 1024 * 1024); // one message per send, each acked
        try {
            long t0 = System.nanoTime();
            BatchResult r = ct.batch(flows, BatchMode.CREATE);
            double s = (System.nanoTime() - t0) / 1e9;
            check(r.succeeded() == flows.size(), "acked insert: " + r);
            return s;
        } finally {
            ct.setBatchLimits(256, 96 * 1024);
        }
    }

    static double timeDump(Conntrack ct, int expected) throws Exception {
        long t0 = System.nanoTime();
        long n = ct.dump(Sockets.AF_UNSPEC, f -> { });
        double s = (System.nanoTime() - t0) / 1e9;
        check(n == expected, "dump saw " + n + " of " + expected);
        return s;
    }

    static double timeConntrackRestore(Conntrack ct, Path file, int expected) throws Exception {
        ct.flush(Sockets.AF_UNSPEC);
        long t0 = System.nanoTime();
        run("conntrack", "-R", file.toString());
        double s = (System.nanoTime() - t0) / 1e9;
        check(ct.count() == expected, "conntrack -R left " + ct.count() + " of " + expected);
        return s;
    }

    static double timeConntrackList(int expected) throws Exception {
        long t0 = System.nanoTime();
        run("sh", "-c", "conntrack -L > /dev/null 2>&1");
        return (System.nanoTime() - t0) / 1e9;
    }

    static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", argv) + " took over 300 s");
        }
        check(p.exitValue() == 0, String.join(" ", argv) + " exited " + p.exitValue());
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark invariant broken: " + what);
        }
    }
}
