package com.deliverychannels.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.deliverychannels.http.Router;

import io.quarkus.funqy.Funq;

/**
 * The HTTP routes the code serves, read from the compiled classes without starting the application: each
 * {@code @Funq} function's constructor takes its route tables (a {@code *Routes} class with a
 * {@code router()}), and a table built with no services still lists its routes, since its handlers only
 * capture the services. The SAM template and the OpenAPI document are each checked against this list.
 */
public final class RouteTables {
    private static final String BASE_PACKAGE = "com.deliverychannels";

    private RouteTables() {
    }

    /** Each {@code @Funq} name with its class. */
    public static Map<String, Class<?>> funqyFunctions() throws Exception {
        Map<String, Class<?>> functions = new TreeMap<>();
        for (Class<?> type : classesIn(BASE_PACKAGE + ".function")) {
            for (Method method : type.getDeclaredMethods()) {
                Funq funq = method.getAnnotation(Funq.class);
                if (funq != null) {
                    functions.put(funq.value().isEmpty() ? method.getName() : funq.value(), type);
                }
            }
        }
        return functions;
    }

    /** The routes {@code function} serves, its route tables built with no services. */
    public static List<Router.Route> routesOf(Class<?> function) throws Exception {
        return routesOf(function, Map.of());
    }

    /**
     * The routes {@code function} serves, its route tables built with the given {@code services} where a
     * constructor takes their type, and null for every other parameter.
     */
    public static List<Router.Route> routesOf(Class<?> function, Map<Class<?>, Object> services) throws Exception {
        List<Router.Route> routes = new ArrayList<>();
        for (Class<?> dependency : function.getConstructors()[0].getParameterTypes()) {
            Method router;
            try {
                router = dependency.getMethod("router");
            } catch (NoSuchMethodException notRoutes) {
                continue;
            }
            Constructor<?> constructor = dependency.getConstructors()[0];
            Object[] arguments = Stream.of(constructor.getParameterTypes()).map(services::get).toArray();
            Object table;
            try {
                table = constructor.newInstance(arguments);
            } catch (InvocationTargetException e) {
                fail(dependency.getSimpleName() + " uses its services while building its routes; the test reads the "
                        + "route table without them", e.getCause());
                throw e;
            }
            routes.addAll(((Router) router.invoke(table)).routes());
        }
        return routes;
    }

    /** The compiled top-level and nested classes of {@code packageName}. */
    public static List<Class<?>> classesIn(String packageName) throws IOException, URISyntaxException,
            ClassNotFoundException {
        List<Class<?>> classes = new ArrayList<>();
        ClassLoader loader = RouteTables.class.getClassLoader();
        for (URL url : Collections.list(loader.getResources(packageName.replace('.', '/')))) {
            if (!"file".equals(url.getProtocol())) {
                continue;
            }
            try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                    String simple = file.getFileName().toString().replace(".class", "");
                    classes.add(Class.forName(packageName + "." + simple, false, loader));
                }
            }
        }
        assertFalse(classes.isEmpty(), "compiled classes of " + packageName);
        return classes;
    }
}
