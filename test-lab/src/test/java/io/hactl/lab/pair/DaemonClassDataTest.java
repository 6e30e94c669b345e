package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonClassDataTest {
    @TempDir
    Path dir;

    private Path jar(String name, String... entries) throws IOException {
        Path jar = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            for (String e : entries) {
                j.putNextEntry(new ZipEntry(e));
                j.closeEntry();
            }
        }
        return jar;
    }

    private static String path(Object... entries) {
        StringBuilder b = new StringBuilder();
        for (Object e : entries) {
            b.append(b.length() == 0 ? "" : File.pathSeparator).append(e);
        }
        return b.toString();
    }

    @Test
    void theDaemonGetsTheJarsInOrderWithoutTheTestClasses() throws IOException {
        Path testClasses = Files.createDirectories(dir.resolve("test-classes/io/hactl/lab"));
        Files.writeString(testClasses.resolve("SomeLabTest.class"), "");
        Path engine = jar("engine.jar", "io/hactl/sync/Engine.class");
        Path controller = jar("controller.jar", "io/hactl/controller/cli/Main.class");
        Path junit = jar("junit.jar", "org/junit/Test.class");

        assertThat(DaemonClassData.jarsOnly(path(dir.resolve("test-classes"), engine, controller, junit)))
                .isEqualTo(path(engine, controller, junit));
    }

    @Test
    void hactlsClassesInADirectoryMeanNoArchive() throws IOException {
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes.resolve("io/hactl/controller/cli"));
        Files.writeString(classes.resolve("io/hactl/controller/cli/Main.class"), "");
        Path engine = jar("engine.jar", "io/hactl/sync/Engine.class");

        assertThat(DaemonClassData.jarsOnly(path(engine, classes))).isNull();
        assertThat(DaemonClassData.jarsOnly(path(engine))).as("no daemon class at all").isNull();
    }
}
