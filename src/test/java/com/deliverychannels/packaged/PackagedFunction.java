package com.deliverychannels.packaged;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * One function of the packaged {@code function.zip}, run as AWS's managed Java runtime runs it: the zip
 * unpacked into a task folder, which is the working directory of a fresh JVM that runs AWS's runtime
 * interface client (RIC) with the Funqy handler and polls a {@link LambdaRuntimeApiStub} of its own on
 * loopback.
 * <p>
 * Start one per function with {@link #start}; close it to stop the process and delete its files.
 * Everything the process prints (stdout and stderr) is kept for {@link #output()}.
 */
public final class PackagedFunction implements AutoCloseable {
    /** The handler every Lambda of this product is configured with. */
    public static final String HANDLER = "io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest";
    /** The system property failsafe sets to the absolute path of {@code target/function.zip}. */
    public static final String FUNCTION_ZIP_PROPERTY = "function.zip";

    private static final String RIC_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    private static final String RIC_ARTIFACT = "aws-lambda-java-runtime-interface-client";
    private static final String RIC_JNI_PROPERTY =
            "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";
    private static final int MEMORY_SIZE_MB = 512;
    /** Lambda's Java runtimes give the heap 85 % of the function's memory size. */
    private static final String DEFAULT_MAX_HEAP_SIZE = MEMORY_SIZE_MB * 1024 * 85 / 100 + "k";
    private static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_OUTPUT_CHARS = 2_000_000;

    /*
     * Left to itself, the RIC copies its JNI library to the fixed path /tmp/.libaws-lambda-jni.so at every
     * start, and two clients starting together can overwrite it under each other (SIGBUS; STACK.md). Lambda
     * points it at its own copy instead (see command()), and so does this class; starting one function at a
     * time still covers a platform where no copy can be given, and keeps two cold JVMs from competing for
     * the CPU of a small CI machine.
     */
    private static final Semaphore ONE_START_AT_A_TIME = new Semaphore(1);

    private final String exportName;
    private final Path workDir;
    private final LambdaRuntimeApiStub runtimeApi;
    private final Process process;
    private final StringBuilder output;
    private final Thread outputPump;

    private PackagedFunction(String exportName, Path workDir, LambdaRuntimeApiStub runtimeApi, Process process,
                             StringBuilder output, Thread outputPump) {
        this.exportName = exportName;
        this.workDir = workDir;
        this.runtimeApi = runtimeApi;
        this.process = process;
        this.output = output;
        this.outputPump = outputPump;
    }

    /**
     * Starts the function {@code exportName} of the zip named by the {@code function.zip} system property,
     * allowing it 60 s to get ready.
     *
     * @see #start(Path, String, Map, Duration)
     */
    public static PackagedFunction start(String exportName, Map<String, String> productEnvironment) {
        String zip = System.getProperty(FUNCTION_ZIP_PROPERTY);
        if (zip == null || zip.isBlank()) {
            throw new IllegalStateException("system property " + FUNCTION_ZIP_PROPERTY
                    + " is not set: run this test through failsafe (./mvnw verify) after package");
        }
        return start(Path.of(zip), exportName, productEnvironment, DEFAULT_STARTUP_TIMEOUT);
    }

    /**
     * Unpacks {@code functionZip} and starts the runtime interface client on it with
     * {@code QUARKUS_FUNQY_EXPORT=exportName}, the variables Lambda itself sets, and
     * {@code productEnvironment} (the product's own configuration: table, endpoints, keys).
     * <p>
     * Returns once the runtime has settled: it polls for its first event ({@link #isReady()}), or it posted
     * an init error ({@link #initError()}), or its process exited. Only if none of these happens within
     * {@code startupTimeout} does it stop the process and throw.
     */
    public static PackagedFunction start(Path functionZip, String exportName, Map<String, String> productEnvironment,
                                         Duration startupTimeout) {
        return start(functionZip, exportName, productEnvironment, startupTimeout, DEFAULT_MAX_HEAP_SIZE);
    }

    /**
     * As {@link #start(Path, String, Map, Duration)}, with the JVM's heap limit {@code maxHeapSize} (a JVM size
     * such as {@code 64m} or {@code 445644k}) instead of Lambda's 85 % of the memory size: for finding the
     * smallest heap a function works well with. A native {@code bootstrap} ignores it.
     */
    public static PackagedFunction start(Path functionZip, String exportName, Map<String, String> productEnvironment,
                                         Duration startupTimeout, String maxHeapSize) {
        if (!Files.isRegularFile(functionZip)) {
            throw new IllegalStateException(functionZip + " does not exist: run ./mvnw package (or verify) first");
        }
        Path workDir = null;
        LambdaRuntimeApiStub runtimeApi = null;
        Process process = null;
        try {
            workDir = Files.createTempDirectory("packaged-" + exportName + "-");
            Path taskDir = workDir.resolve("task");
            Path homeDir = Files.createDirectories(workDir.resolve("home"));
            unzip(functionZip, taskDir);
            // A native function.zip (./mvnw package -Pnative) carries its own runtime as `bootstrap`, which
            // Lambda's provided.al2023 runtime starts as it is; the JVM one runs under AWS's Java runtime client.
            Path bootstrap = taskDir.resolve("bootstrap");
            List<String> command;
            if (Files.isRegularFile(bootstrap)) {
                bootstrap.toFile().setExecutable(true);
                command = new ArrayList<>(List.of(bootstrap.toString()));
                command.addAll(nativeSystemProperties(productEnvironment));
            } else {
                List<Path> ricClassPath = runtimeInterfaceClientClassPath();
                Optional<Path> jniLibrary = extractJniLibrary(ricClassPath.get(0), workDir.resolve("runtime"));
                command = command(ricClassPath, jniLibrary, maxHeapSize);
            }

            String functionName = "delivery-channels-" + exportName;
            runtimeApi = LambdaRuntimeApiStub.start(functionName);

            ProcessBuilder builder = new ProcessBuilder(command)
                    // The RIC takes its working directory as the task root (/var/task in Lambda) and loads
                    // the function from it and its lib/*.jar.
                    .directory(taskDir.toFile())
                    .redirectErrorStream(true);
            Map<String, String> environment = builder.environment();
            // Lambda starts the runtime with its own variables and the function's configuration, nothing
            // else. Inheriting this JVM's environment could hand the function AWS credentials, a region, a
            // profile or QUARKUS_* settings from the machine running the tests, and hide a missing variable.
            environment.clear();
            environment.putAll(lambdaEnvironment(functionName, exportName, taskDir, homeDir, runtimeApi));
            environment.putAll(productEnvironment);

            StringBuilder output = new StringBuilder();
            ONE_START_AT_A_TIME.acquireUninterruptibly();
            try {
                process = builder.start();
                Thread pump = pumpOutput(process.getInputStream(), output, exportName);
                PackagedFunction function = new PackagedFunction(exportName, workDir, runtimeApi, process, output, pump);
                LambdaRuntimeApiStub api = runtimeApi;
                process.onExit().thenAccept(exited -> api.runtimeGone(
                        "the " + exportName + " function's process exited with code " + exited.exitValue()));
                function.awaitSettled(startupTimeout);
                return function;
            } finally {
                ONE_START_AT_A_TIME.release();
            }
        } catch (IOException | RuntimeException e) {
            if (process != null) {
                stop(process);
            }
            if (runtimeApi != null) {
                runtimeApi.close();
            }
            deleteQuietly(workDir);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("could not start the packaged " + exportName + " function", io);
            }
            throw (RuntimeException) e;
        }
    }

    /** {@code true} once the runtime has polled for an event: its init succeeded. */
    /** Whether this is the native {@code bootstrap} rather than the JVM artifact under AWS's runtime client. */
    public boolean isNative() {
        return Files.isRegularFile(workDir.resolve("task").resolve("bootstrap"));
    }

    public boolean isReady() {
        return runtimeApi.firstPoll().isDone();
    }

    /** The body the runtime posted to {@code /runtime/init/error}, if its init failed. */
    public Optional<String> initError() {
        return Optional.ofNullable(runtimeApi.initError().getNow(null));
    }

    /**
     * Invokes the function with one event and returns its response body.
     *
     * @throws LambdaRuntimeApiStub.FunctionErrorException if the function answered with an error
     * @throws IllegalStateException on time-out or if the runtime is not running; the message carries the
     *         process output
     */
    public String invoke(String eventJson, Duration timeout) {
        try {
            return runtimeApi.invoke(eventJson, timeout);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + describeProcess(), e);
        }
    }

    /** The Runtime API this function's runtime polls. */
    public LambdaRuntimeApiStub runtimeApi() {
        return runtimeApi;
    }

    /** Everything the process printed so far, stdout and stderr interleaved. */
    public String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /**
     * Waits up to {@code timeout} for the process to end (a runtime whose init failed may exit by itself).
     *
     * @return the exit code, or empty if it still runs
     */
    public Optional<Integer> awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                ? Optional.of(process.exitValue()) : Optional.empty();
    }

    /**
     * Waits up to {@code timeout} until the process output satisfies {@code condition} (a log line reaches
     * the output a little after the Runtime API hears of what it reports).
     */
    public boolean awaitOutput(Predicate<String> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(output())) {
            if (System.nanoTime() > deadline || (!process.isAlive() && !outputPump.isAlive())) {
                return condition.test(output());
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** A description of the function's state and its output, for assertion messages. */
    public String describeProcess() {
        return "\n--- packaged " + exportName + " function: " + (process.isAlive() ? "running"
                : "exited with code " + process.exitValue())
                + initError().map(body -> ", init error " + body).orElse("")
                + "; output:\n" + output() + "\n--- end of output";
    }

    @Override
    public void close() {
        stop(process);
        try {
            outputPump.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runtimeApi.close();
        deleteQuietly(workDir);
    }

    private void awaitSettled(Duration timeout) {
        try {
            CompletableFuture.anyOf(runtimeApi.firstPoll(), runtimeApi.initError(), process.onExit())
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the packaged " + exportName + " function neither polled the Runtime API,"
                    + " nor reported an init error, nor exited within " + timeout + describeProcess());
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the " + exportName + " function", e);
        }
    }

    /**
     * The command line of AWS's managed Java 17 runtime (its bootstrap, as observed in Lambda), with the
     * same {@code java} as this test: heap {@code maxHeapSize} (Lambda: 85 % of the memory size), serial GC,
     * client compilation only, and on the class path the RIC alone. The function's classes are not on the
     * class path: the RIC loads them from the task root through its own class loader, so a resource looked up
     * through the system class loader fails here as it would in Lambda. Left out: Lambda's log4j hot-patch
     * agent and its CDS archive.
     */
    private static List<String> command(List<Path> ricClassPath, Optional<Path> jniLibrary, String maxHeapSize) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:MaxHeapSize=" + maxHeapSize,
                "-XX:+UseSerialGC",
                "-XX:+TieredCompilation",
                "-XX:TieredStopAtLevel=1",
                "--add-opens=java.base/java.io=ALL-UNNAMED",
                "-XX:+ErrorFileToStderr"));
        jniLibrary.ifPresent(library -> command.add("-D" + RIC_JNI_PROPERTY + "=" + library));
        command.add("-classpath");
        command.add(ricClassPath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        command.add(RIC_MAIN);
        command.add(HANDLER);
        return command;
    }

    /**
     * The {@code -D} options of {@code JAVA_TOOL_OPTIONS}, as arguments of a native bootstrap. A JVM reads
     * that variable itself (Lambda's Java runtimes document it for system properties); a native image does
     * not, but takes {@code -Dname=value} arguments. Lambda starts {@code bootstrap} without arguments, so
     * in AWS this only matters for what a test must hand both kinds of artifact alike: its own trust store,
     * for the TLS servers on loopback.
     */
    private static List<String> nativeSystemProperties(Map<String, String> productEnvironment) {
        String options = productEnvironment.getOrDefault("JAVA_TOOL_OPTIONS", "");
        return Stream.of(options.trim().split("\\s+")).filter(option -> option.startsWith("-D")).toList();
    }

    /**
     * Copies the RIC's JNI library for this platform out of its jar into {@code runtimeDir/lib/jni}, as
     * Lambda keeps it under {@code /var/runtime/lib/jni}; empty on a platform the RIC has no library for
     * (it then reports that itself).
     */
    private static Optional<Path> extractJniLibrary(Path ricJar, Path runtimeDir) throws IOException {
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64" -> "aarch_64";
            default -> null;
        };
        if (arch == null || !System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")) {
            return Optional.empty();
        }
        String libc = isMusl() ? "linux_musl" : "linux";
        String name = "libaws-lambda-jni." + libc + "-" + arch + ".so";
        try (JarFile jar = new JarFile(ricJar.toFile())) {
            ZipEntry entry = jar.getEntry("jni/" + name);
            if (entry == null) {
                return Optional.empty();
            }
            Path target = Files.createDirectories(runtimeDir.resolve("lib").resolve("jni")).resolve(name);
            try (InputStream in = jar.getInputStream(entry)) {
                Files.copy(in, target);
            }
            return Optional.of(target);
        }
    }

    private static boolean isMusl() {
        try (Stream<Path> lib = Files.list(Path.of("/lib"))) {
            return lib.anyMatch(path -> path.getFileName().toString().startsWith("ld-musl-"));
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    /**
     * The variables Lambda sets for every function, as far as the RIC and the product read them.
     * {@code HOME} is an empty folder of this run so that no {@code ~/.aws} profile of the machine is read.
     * {@code LANG}: Lambda sets {@code en_US.UTF-8}, which makes the JVM's default charset UTF-8 there; a
     * machine without that locale would fall back to ASCII, so {@code C.UTF-8} gives the same charset here.
     */
    private static Map<String, String> lambdaEnvironment(String functionName, String exportName, Path taskDir,
                                                         Path homeDir, LambdaRuntimeApiStub runtimeApi) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PATH", Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/bin:/usr/bin:/bin"));
        environment.put("HOME", homeDir.toString());
        environment.put("LANG", "C.UTF-8");
        environment.put("AWS_LAMBDA_RUNTIME_API", runtimeApi.hostAndPort());
        environment.put("_HANDLER", HANDLER);
        environment.put("AWS_LAMBDA_FUNCTION_NAME", functionName);
        environment.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(MEMORY_SIZE_MB));
        environment.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        environment.put("AWS_REGION", "eu-west-1");
        environment.put("AWS_DEFAULT_REGION", "eu-west-1");
        // The role's temporary credentials, as Lambda hands them to every function (the SDK's default chain
        // reads them; the stand-ins and DynamoDB Local do not check signatures).
        environment.put("AWS_ACCESS_KEY_ID", "ASIAPACKAGEDTEST");
        environment.put("AWS_SECRET_ACCESS_KEY", "packaged-test-secret");
        environment.put("AWS_SESSION_TOKEN", "packaged-test-session");
        // The template's LoggingConfig LogFormat: JSON.
        environment.put("AWS_LAMBDA_LOG_FORMAT", "JSON");
        environment.put("AWS_LAMBDA_LOG_LEVEL", "INFO");
        environment.put("LAMBDA_TASK_ROOT", taskDir.toString());
        environment.put("QUARKUS_FUNQY_EXPORT", exportName);
        return environment;
    }

    /**
     * The RIC jar first, then the jars its manifest {@code Class-Path} names (aws-lambda-java-core,
     * aws-lambda-java-serialization, the AWS SDK's utils-lite, which RIC 2.9 calls on every invocation, and
     * annotations), taken from this test's class path: what Lambda's runtime brings besides the function.
     * Nothing else of the test class path may reach the process, above all not the project's own classes,
     * or a class missing from function.zip would go unseen.
     */
    static List<Path> runtimeInterfaceClientClassPath() {
        List<Path> testClassPath = testClassPath();
        Path ric = onlyJarOf(RIC_ARTIFACT, testClassPath);
        List<Path> jars = new ArrayList<>();
        jars.add(ric);
        for (String manifestEntry : manifestClassPath(ric)) {
            jars.add(onlyJarOf(artifactIdOf(manifestEntry), testClassPath));
        }
        return jars;
    }

    private static List<Path> testClassPath() {
        // Surefire and failsafe set java.class.path to the test class path even when they boot the test
        // JVM from a manifest-only jar; surefire.test.class.path is the same list, should that ever change.
        List<Path> entries = new ArrayList<>();
        for (String property : List.of("java.class.path", "surefire.test.class.path")) {
            String value = System.getProperty(property, "");
            Arrays.stream(value.split(File.pathSeparator))
                    .filter(entry -> !entry.isBlank())
                    .map(Path::of)
                    .forEach(entries::add);
        }
        return entries;
    }

    private static Path onlyJarOf(String artifactId, List<Path> classPath) {
        List<Path> matches = classPath.stream()
                .filter(entry -> entry.getFileName() != null
                        && entry.getFileName().toString().matches(Pattern.quote(artifactId) + "-\\d.*\\.jar"))
                .distinct()
                .toList();
        if (matches.size() > 1) {
            // A name as plain as "annotations" may come from other groups too; the RIC's own come from
            // com.amazonaws and software.amazon, which the local repository keeps in folders of those names.
            matches = matches.stream()
                    .filter(entry -> entry.toString().replace(File.separatorChar, '/')
                            .matches(".*/(com/amazonaws|software/amazon)/.*"))
                    .toList();
        }
        if (matches.size() != 1) {
            throw new IllegalStateException("expected exactly one " + artifactId + " jar on the test class path"
                    + " (the runtime interface client is a test dependency of the pom), found " + matches);
        }
        return matches.get(0);
    }

    private static List<String> manifestClassPath(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            String classPath = file.getManifest() == null ? null
                    : file.getManifest().getMainAttributes().getValue("Class-Path");
            return classPath == null ? List.of() : List.of(classPath.trim().split("\\s+"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code utils-lite-2.34.0.jar} → {@code utils-lite}: the version the test class path holds may differ. */
    private static String artifactIdOf(String jarName) {
        return jarName.replaceFirst("-\\d[^/]*\\.jar$", "");
    }

    private static void unzip(Path zip, Path target) throws IOException {
        Files.createDirectories(target);
        try (ZipFile file = new ZipFile(zip.toFile())) {
            for (ZipEntry entry : Collections.list(file.entries())) {
                Path destination = target.resolve(entry.getName()).normalize();
                if (!destination.startsWith(target)) {
                    throw new IOException("zip entry outside the task folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(destination);
                    continue;
                }
                Files.createDirectories(destination.getParent());
                try (InputStream in = file.getInputStream(entry)) {
                    Files.copy(in, destination);
                }
            }
        }
    }

    private static Thread pumpOutput(InputStream stream, StringBuilder output, String exportName) {
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                        if (output.length() > MAX_OUTPUT_CHARS) {
                            output.delete(0, output.length() - MAX_OUTPUT_CHARS);
                        }
                    }
                }
            } catch (IOException endOfProcess) {
                // The stream closes when the process is destroyed; what was read is kept.
            }
        }, "packaged-" + exportName + "-output");
        pump.setDaemon(true);
        pump.start();
        return pump;
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path folder) {
        if (folder == null || !Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // A temp folder left behind is not worth failing a test for.
        }
    }
}
