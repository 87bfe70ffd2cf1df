package io.traceroll.operator.runtime;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/** Informer event handlers made of functions, for the caches that only react to change. */
public final class InformerHandlers {
  private InformerHandlers() {}

  /** {@code changed} on every add and update (with the new object), {@code deleted} on delete. */
  public static <T> ResourceEventHandler<T> of(Consumer<T> changed, Consumer<T> deleted) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T object) {
        changed.accept(object);
      }

      @Override
      public void onUpdate(T old, T object) {
        changed.accept(object);
      }

      @Override
      public void onDelete(T object, boolean deletedFinalStateUnknown) {
        deleted.accept(object);
      }
    };
  }

  /** {@code action} on every add and delete, and on the updates {@code matters} accepts. */
  public static <T> ResourceEventHandler<T> onChange(BiPredicate<T, T> matters, Runnable action) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T object) {
        action.run();
      }

      @Override
      public void onUpdate(T old, T object) {
        if (matters.test(old, object)) {
          action.run();
        }
      }

      @Override
      public void onDelete(T object, boolean deletedFinalStateUnknown) {
        action.run();
      }
    };
  }
}
