// What the router needs from a page: a way to tear it down on navigation.
export interface Page {
  dispose(): void;
}
