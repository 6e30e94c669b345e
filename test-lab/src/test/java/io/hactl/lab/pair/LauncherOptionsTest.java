package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab runs its daemons as the package's launcher does: the same JVM options and environment. */
class LauncherOptionsTest {
    private static final Path LAUNCHER = Path.of("../packaging/src/deb/hactl.launcher");

    @TempDir
    Path dir;

    @Test
    void theLabsDaemonsRunWithTheLaunchersDefaultOptions() throws Exception {
        String launcher = Files.readString(LAUNCHER);
        Matcher opts = Pattern.compile("opts=\\$\\{HACTL_DAEMON_JAVA_OPTS:-([^}]*)}").matcher(launcher);
        assertThat(opts.find()).as("the daemon's default options in hactl.launcher").isTrue();
        assertThat(opts.group(1).trim().split("\\s+")).containsExactlyElementsOf(HactlNode.LAUNCHER_JVM);
        Matcher arenas = Pattern.compile("MALLOC_ARENA_MAX=\\$\\{MALLOC_ARENA_MAX:-(\\d+)}").matcher(launcher);
        assertThat(arenas.find()).as("MALLOC_ARENA_MAX in hactl.launcher").isTrue();
        assertThat(arenas.group(1)).isEqualTo(HactlNode.MALLOC_ARENA_MAX);

        String defaults = Files.readString(Path.of("../packaging/src/deb/hactl.default"));
        assertThat(defaults).as("hactl.default shows the launcher's defaults")
                .contains("#HACTL_DAEMON_JAVA_OPTS=\"" + String.join(" ", HactlNode.LAUNCHER_JVM) + "\"");
        Matcher client = Pattern.compile("opts=\\$\\{HACTL_JAVA_OPTS:-([^}]*)}").matcher(launcher);
        assertThat(client.find()).as("the commands' default options in hactl.launcher").isTrue();
        assertThat(defaults).as("hactl.default shows the commands' defaults (C1 for all but status, version, stats)")
                .contains("#HACTL_JAVA_OPTS=\"" + client.group(1).trim().replace("$jit", "-XX:TieredStopAtLevel=1") + "\"");
    }

    @Test
    void aCommandListsItsClassesThenALaterRunDumpsTheArchiveThatTheRunsAfterMap() throws Exception {
        Path cache = Files.createDirectory(dir.resolve("cache"));
        // the first run lists the classes it loads, in a file named after its pid (the launcher
        // execs java, so the pid the fake java prints is the launcher's)
        List<String> first = java("status", "--json");
        String pid = first.get(first.size() - 1).replace("PID=", "");
        assertThat(first).contains("-XX:DumpLoadedClassList=" + cache + "/status.classlist." + pid)
                .noneMatch(a -> a.startsWith("-XX:SharedArchiveFile"))
                .containsSequence("-cp", "/usr/share/hactl/lib/*", "io.hactl.controller.cli.HactlMain", "status", "--json");
        Files.writeString(cache.resolve("status.classlist." + pid), "java/lang/Object id: 0\n");

        // that run has ended: the next one dumps its list in the background and runs without
        List<String> second = java("status");
        assertThat(second).noneMatch(a -> a.contains("-XX:SharedArchiveFile")).noneMatch(a -> a.contains("DumpLoadedClassList"));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(cache.resolve("status.jsa")));
        await().atMost(Duration.ofSeconds(10)).until(() -> listing(cache).equals(List.of("status.jsa")));
        assertThat(Files.readAllLines(dumps())).singleElement().asString()
                .contains("-Xshare:dump", "-XX:SharedClassListFile=" + cache + "/status.classlist.dumping.",
                        "-XX:SharedArchiveFile=" + cache + "/status.jsa.", "-cp /usr/share/hactl/lib/*", "-Xint");

        // the runs after map it and list nothing
        assertThat(java("status")).contains("-XX:SharedArchiveFile=" + cache + "/status.jsa", "-Xshare:auto")
                .noneMatch(a -> a.contains("DumpLoadedClassList"));
        // the short commands interpreted only, the others with C1
        assertThat(java("status")).contains("-Xint", "-XX:-UsePerfData").doesNotContain("-XX:TieredStopAtLevel=1");
        assertThat(java("version")).contains("-Xint");
        assertThat(java("cache", "--json")).contains("-XX:TieredStopAtLevel=1").doesNotContain("-Xint");
        assertThat(java("daemon", "--config", "/etc/hactl/hactl.yaml")).anyMatch(a -> a.startsWith("-XX:DumpLoadedClassList=" + cache + "/daemon.classlist."))
                .containsAll(HactlNode.LAUNCHER_JVM).contains("MALLOC_ARENA_MAX=" + HactlNode.MALLOC_ARENA_MAX);
        // options and odd words share one archive: no file named after what a user typed
        assertThat(java("--help")).anyMatch(a -> a.startsWith("-XX:DumpLoadedClassList=" + cache + "/hactl.classlist."));
        assertThat(java("../x")).anyMatch(a -> a.startsWith("-XX:DumpLoadedClassList=" + cache + "/hactl.classlist."));
        assertThat(java()).anyMatch(a -> a.startsWith("-XX:DumpLoadedClassList=" + cache + "/hactl.classlist."));
    }

    @Test
    void theListOfARunStillRunningIsNotDumpedAndPartialArchivesOfEndedRunsGo() throws Exception {
        Path cache = Files.createDirectory(dir.resolve("cache"));
        // this JVM stands for a daemon still running: its list is still growing
        long running = ProcessHandle.current().pid();
        Files.writeString(cache.resolve("daemon.classlist." + running), "java/lang/Object id: 0\n");
        long ended = endedPid();
        Files.writeString(cache.resolve("daemon.jsa." + ended), "cut short");
        List<String> run = java("daemon");
        assertThat(run).anyMatch(a -> a.startsWith("-XX:DumpLoadedClassList=" + cache + "/daemon.classlist."));
        assertThat(listing(cache)).contains("daemon.classlist." + running).doesNotContain("daemon.jsa." + ended);
        assertThat(dumps()).doesNotExist();
    }

    @Test
    void aDumpStillRunningIsLeftAloneAndOneCutShortIsStartedAgain() throws Exception {
        Path cache = Files.createDirectory(dir.resolve("cache"));
        Path running = cache.resolve("status.classlist.dumping." + ProcessHandle.current().pid());
        Files.writeString(running, "java/lang/Object id: 0\n");
        assertThat(java("status")).noneMatch(a -> a.contains("DumpLoadedClassList")).noneMatch(a -> a.contains("-XX:SharedArchiveFile"));
        assertThat(listing(cache)).containsExactly(running.getFileName().toString());
        assertThat(dumps()).doesNotExist();

        Files.move(running, cache.resolve("status.classlist.dumping." + endedPid()));
        java("status");
        await().atMost(Duration.ofSeconds(10)).until(() -> listing(cache).equals(List.of("status.jsa")));
        assertThat(Files.readAllLines(dumps())).hasSize(1);
    }

    @Test
    void aDumpThatFailsIsNotTriedAgainAndTheCommandRunsWithout() throws Exception {
        Path cache = Files.createDirectory(dir.resolve("cache"));
        Files.writeString(cache.resolve("version.classlist." + endedPid()), "FAIL\n");
        assertThat(java("version")).noneMatch(a -> a.contains("-XX:SharedArchiveFile"));
        await().atMost(Duration.ofSeconds(10)).until(() -> listing(cache).equals(List.of("version.jsa.failed")));
        assertThat(java("version")).noneMatch(a -> a.contains("-XX:SharedArchiveFile")).noneMatch(a -> a.contains("DumpLoadedClassList"));
        assertThat(listing(cache)).containsExactly("version.jsa.failed");
        assertThat(Files.readAllLines(dumps())).hasSize(1);
    }

    @Test
    void withoutAWritableCacheNoArchiveIsWritten() throws Exception {
        assertThat(java("status")).noneMatch(a -> a.contains("Archive")).noneMatch(a -> a.contains(".jsa"))
                .noneMatch(a -> a.contains("DumpLoadedClassList"));
    }

    /** Where the fake java writes the arguments of each dump, a line each. */
    private Path dumps() {
        return dir.resolve("dumps");
    }

    /** The files in {@code cache}, sorted. */
    private static List<String> listing(Path cache) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /** The pid of a process that has ended (pids are not reused that soon). */
    private static long endedPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return p.pid();
    }

    /**
     * The arguments the launcher gives java (one per line, then the malloc arena setting and the
     * pid), run with a java on PATH that prints them, its cache at dir/cache and no
     * /etc/default/hactl. A dump (-Xshare:dump) appends its arguments to {@link #dumps()} and
     * writes the archive, or fails when the class list says FAIL.
     */
    private List<String> java(String... args) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, """
                #!/bin/sh
                case " $* " in
                *" -Xshare:dump "*)
                    echo "$*" >> %s
                    for a in "$@"; do
                        case "$a" in
                        -XX:SharedClassListFile=*) list=${a#*=} ;;
                        -XX:SharedArchiveFile=*) jsa=${a#*=} ;;
                        esac
                    done
                    grep -q FAIL "$list" && exit 1
                    echo archive > "$jsa"
                    exit 0 ;;
                esac
                for a in "$@"; do printf '%%s\\n' "$a"; done
                echo "MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-}"
                echo "PID=$$"
                """.formatted(dumps()));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path launcher = dir.resolve("hactl");
        Files.writeString(launcher, Files.readString(LAUNCHER)
                .replace("/var/cache/hactl", dir.resolve("cache").toString())
                .replace("/etc/default/hactl", dir.resolve("no-defaults").toString()));
        List<String> argv = new ArrayList<>(List.of("sh", launcher.toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        pb.environment().remove("MALLOC_ARENA_MAX");
        pb.environment().remove("HACTL_JAVA_OPTS");
        pb.environment().remove("HACTL_DAEMON_JAVA_OPTS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }
}
