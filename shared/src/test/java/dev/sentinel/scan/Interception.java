package dev.sentinel.scan;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Set;

/**
 * Wraps a port (ObjectStore, VerdictStore) so a test can act right after chosen calls return: crash the caller, or
 * stop the server behind it. The real adapter does the work; only the moment is chosen by the test.
 */
final class Interception {

    /** What to do after a watched call returned; the call's method name is given. */
    interface AfterCall {
        void after(String method);
    }

    private Interception() {
    }

    /** {@code real} as {@code port}, calling {@code hook} after each call to a method in {@code watched}. */
    static <T> T after(Class<T> port, T real, Set<String> watched, AfterCall hook) {
        return wrap(port, real, watched, hook, null);
    }

    /** {@code real} as {@code port}, except that {@code method} dies before it does anything. */
    static <T> T refusing(Class<T> port, T real, String method, String why) {
        return wrap(port, real, Set.of(method), name -> { }, why);
    }

    private static <T> T wrap(Class<T> port, T real, Set<String> watched, AfterCall hook, String refusal) {
        Object proxy = Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[] {port}, (self, method, args) -> {
            if (method.isDefault()) {
                return java.lang.reflect.InvocationHandler.invokeDefault(self, method, args);
            }
            if (refusal != null && watched.contains(method.getName())) {
                throw new IllegalStateException(refusal);
            }
            Object result;
            try {
                result = method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (watched.isEmpty() || watched.contains(method.getName())) {
                hook.after(method.getName());
            }
            return result;
        });
        return port.cast(proxy);
    }
}
