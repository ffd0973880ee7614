package io.tether.samples;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles every {@code java} code block of the README and of docs/*.md against the project, so the documentation
 * cannot drift from the API. A block that declares a type is compiled as a file; any other block is compiled as the
 * body of a method, with the project's packages imported.
 */
class DocumentationSnippetsTest {
    private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final String IMPORTS = String.join("\n",
            "import io.tether.sync.*;", "import io.tether.sync.spi.*;", "import io.tether.sync.core.*;",
            "import io.tether.sync.jpa.*;", "import io.tether.sync.rest.*;", "import jakarta.persistence.*;",
            "import java.util.*;", "import java.time.*;", "import java.nio.file.*;", "");

    @TestFactory
    Stream<DynamicTest> everyJavaBlockCompiles() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<Path> documents = new ArrayList<>();
        documents.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        try (Stream<Path> readmes = Files.walk(root, 2)) {
            readmes.filter(p -> p.getFileName().toString().equals("README.md") && !p.getParent().equals(root))
                    .filter(p -> !p.toString().contains("/target/")).sorted().forEach(documents::add);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path doc : documents) {
            String text = Files.readString(doc);
            Matcher m = BLOCK.matcher(text);
            int n = 0;
            while (m.find()) {
                int index = ++n;
                String code = m.group(1);
                int line = text.substring(0, m.start()).split("\n", -1).length;
                String name = root.relativize(doc) + ":" + line;
                tests.add(DynamicTest.dynamicTest(name, () -> compile(name, code, index)));
            }
        }
        assertFalse(tests.isEmpty(), "no java blocks found in the documentation");
        return tests.stream();
    }

    private static void compile(String name, String code, int index) throws IOException {
        boolean declaresType = Pattern.compile("(?m)^(public |final |abstract )*(class|record|interface|enum) ")
                .matcher(code).find();
        String className = "Snippet" + index;
        String source;
        if (declaresType) {
            Matcher type = Pattern.compile("(?m)^(?:public |final |abstract )*(?:class|record|interface|enum) (\\w+)")
                    .matcher(code);
            type.find();
            className = type.group(1);
            String body = code.replaceAll("(?m)^import .*;\\n", "");
            String imports = String.join("\n", code.lines().filter(l -> l.startsWith("import ")).toList());
            source = "package snippets;\n" + imports + "\n" + IMPORTS + body.replaceFirst("(?m)^public ", "");
        } else {
            source = "package snippets;\n" + IMPORTS + "class " + className
                    + " {\n    @SuppressWarnings(\"unused\")\n    void run() throws Exception {\n" + code + "\n    }\n}\n";
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path out = Files.createTempDirectory("snippet");
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            String finalName = className;
            JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///snippets/" + finalName + ".java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            };
            List<String> options = List.of("-classpath", classPath(), "-d", out.toString(), "-proc:none",
                    "--release", "17");
            boolean ok = compiler.getTask(null, files, diagnostics, options, null, List.of(unit)).call();
            StringBuilder report = new StringBuilder();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    report.append("\n  line ").append(d.getLineNumber()).append(": ")
                            .append(d.getMessage(Locale.ROOT));
                }
            }
            assertTrue(ok, name + " does not compile:" + report + "\n--- source ---\n" + source);
        }
    }

    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        String cp = surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
        return String.join(File.pathSeparator, cp.split(File.pathSeparator));
    }
}
