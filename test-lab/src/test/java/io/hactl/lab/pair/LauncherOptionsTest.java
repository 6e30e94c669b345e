package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    void eachCommandRecordsItsClassDataArchiveOnceThenMapsIt() throws Exception {
        Path cache = Files.createDirectory(dir.resolve("cache"));
        assertThat(java("status", "--json")).contains("-XX:ArchiveClassesAtExit=" + cache + "/status.jsa")
                .doesNotContain("-XX:SharedArchiveFile=" + cache + "/status.jsa")
                .containsSequence("-cp", "/usr/share/hactl/lib/*", "io.hactl.controller.cli.HactlMain", "status", "--json");
        Files.writeString(cache.resolve("status.jsa"), "");
        assertThat(java("status")).contains("-XX:SharedArchiveFile=" + cache + "/status.jsa", "-Xshare:auto")
                .noneMatch(a -> a.startsWith("-XX:ArchiveClassesAtExit"));
        // the short commands interpreted only, the others with C1
        assertThat(java("status")).contains("-Xint", "-XX:-UsePerfData").doesNotContain("-XX:TieredStopAtLevel=1");
        assertThat(java("version")).contains("-Xint");
        assertThat(java("cache", "--json")).contains("-XX:TieredStopAtLevel=1").doesNotContain("-Xint");
        assertThat(java("daemon", "--config", "/etc/hactl/hactl.yaml")).contains("-XX:ArchiveClassesAtExit=" + cache + "/daemon.jsa")
                .containsAll(HactlNode.LAUNCHER_JVM).contains("MALLOC_ARENA_MAX=" + HactlNode.MALLOC_ARENA_MAX);
        // options and odd words share one archive: no file named after what a user typed
        assertThat(java("--help")).contains("-XX:ArchiveClassesAtExit=" + cache + "/hactl.jsa");
        assertThat(java("../x")).contains("-XX:ArchiveClassesAtExit=" + cache + "/hactl.jsa");
        assertThat(java()).contains("-XX:ArchiveClassesAtExit=" + cache + "/hactl.jsa");
    }

    @Test
    void withoutAWritableCacheNoArchiveIsWritten() throws Exception {
        assertThat(java("status")).noneMatch(a -> a.contains("Archive")).noneMatch(a -> a.contains(".jsa"));
    }

    /**
     * The arguments the launcher gives java (one per line, then the malloc arena setting), run
     * with a java on PATH that prints them, its cache at dir/cache and no /etc/default/hactl.
     */
    private List<String> java(String... args) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n"
                + "echo \"MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-}\"\n");
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
