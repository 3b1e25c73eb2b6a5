/** The TLS-RPT store contract on SQLite: a fresh in-memory database per test, one handle per process. */
import { beforeEach } from "vitest";
import { openStore, type Store } from "../../../src/store/database.js";
import { tlsRptContract } from "../../support/tlsrpt-contract.js";

let store: Promise<Store>;
beforeEach(() => {
  store = openStore(":memory:");
});

tlsRptContract(() => store);
