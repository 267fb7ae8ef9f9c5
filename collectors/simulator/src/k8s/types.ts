/** A JSON value as found in a Kubernetes object. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue | undefined };

/** Object metadata; the watch fills in `resourceVersion`. */
export interface K8sMetadata {
  name: string;
  namespace?: string;
  uid: string;
  [key: string]: JsonValue | undefined;
}

/** A full Kubernetes object as the API server returns it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: K8sMetadata;
  [key: string]: JsonValue | undefined;
}

/** What an event is about (core/v1 ObjectReference). */
export interface InvolvedObject {
  kind: string;
  name: string;
  uid: string;
  apiVersion: string;
  namespace?: string;
  fieldPath?: string;
}
