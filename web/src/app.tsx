import { type ReactElement, useCallback, useEffect, useRef, useState } from "react";
import { ApiError, api, getToken, type Me, setToken, setUnauthorizedHandler } from "./api";
import { ErrorBox, Link } from "./components/ui";
import { ApprovalsPage } from "./pages/approvals";
import { AuditPage } from "./pages/audit";
import { ChangesPage } from "./pages/changes";
import { CompliancePage } from "./pages/compliance";
import { FindingPage } from "./pages/finding";
import { FindingsPage } from "./pages/findings";
import { OverviewPage } from "./pages/overview";
import { PathsPage } from "./pages/paths";
import { usePath } from "./router";

const NAV = [
  { to: "/", label: "Overview" },
  { to: "/findings", label: "Findings" },
  { to: "/compliance", label: "Compliance" },
  { to: "/paths", label: "Attack paths" },
  { to: "/changes", label: "Changes" },
  { to: "/approvals", label: "Approvals" },
  { to: "/audit", label: "Audit log", perm: "audit:read" },
];

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(!!getToken());
  const path = usePath();
  const main = useRef<HTMLElement>(null);
  const shownPath = useRef(path);
  const signOut = useCallback(() => {
    setToken(null);
    setMe(null);
  }, []);
  useEffect(() => setUnauthorizedHandler(signOut), [signOut]);
  useEffect(() => {
    if (!getToken()) return;
    api<Me>("/api/v1/me")
      .then(setMe)
      .catch(() => setToken(null))
      .finally(() => setChecking(false));
  }, []);
  useEffect(() => {
    const label = NAV.find((n) => n.to === path)?.label ?? (path.startsWith("/findings/") ? path.split("/").pop() : "");
    document.title = label ? `${label} · Clarion` : "Clarion";
  }, [path]);
  // After an in-app navigation, focus starts at the new page (as after a page load), not on a link that is gone.
  // A page may then move it further (the findings list puts it back on the row that was opened).
  useEffect(() => {
    if (shownPath.current === path) return;
    shownPath.current = path;
    main.current?.focus({ preventScroll: true });
  }, [path]);

  if (checking) return null;
  if (!me) return <SignIn onSignedIn={setMe} />;
  const can = (p: string) => me.permissions.includes(p);
  let page: ReactElement;
  if (path === "/" || path === "") page = <OverviewPage />;
  else if (path === "/findings") page = <FindingsPage />;
  else if (path.startsWith("/findings/")) page = <FindingPage key={path} id={decodeURIComponent(path.slice("/findings/".length))} can={can} />;
  else if (path === "/compliance") page = <CompliancePage />;
  else if (path === "/paths") page = <PathsPage />;
  else if (path === "/changes") page = <ChangesPage />;
  else if (path === "/approvals") page = <ApprovalsPage can={can} />;
  else if (path === "/audit") page = <AuditPage />;
  else page = <p>Nothing at {path}.</p>;
  const active = (to: string) => (to === "/" ? path === "/" : path === to || path.startsWith(`${to}/`));
  return (
    <div className="shell">
      <a href="#main" className="skip">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          Clarion
        </div>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => !n.perm || can(n.perm)).map((n) => (
              <li key={n.to}>
                <Link to={n.to} className={active(n.to) ? "active" : ""} current={path === n.to}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <div className="strong" data-testid="who">
            {me.name}
          </div>
          <div className="small">
            {me.role} · {me.via === "entra" ? "Entra ID" : "API token"}
          </div>
          <button type="button" className="btn btn-small btn-onDark" onClick={signOut}>
            Sign out
          </button>
        </div>
      </aside>
      <main id="main" tabIndex={-1} ref={main}>
        {page}
      </main>
    </div>
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (m: Me) => void }) {
  const [value, setValue] = useState("");
  const [err, setErr] = useState<Error>();
  return (
    <div className="signin">
      <form
        className="card signin-card"
        onSubmit={async (e) => {
          e.preventDefault();
          setErr(undefined);
          setToken(value.trim());
          try {
            onSignedIn(await api<Me>("/api/v1/me"));
          } catch (x) {
            setToken(null);
            setErr(x instanceof ApiError && x.status === 401 ? new Error("That token was not accepted.") : (x as Error));
          }
        }}
      >
        <div className="brand brand-dark">
          <span className="logo" aria-hidden="true" />
          Clarion
        </div>
        <h1>Sign in</h1>
        <p className="muted">Paste an API token (create one with <code>clarion tokens create --name you --role analyst</code>) or an Entra ID access token.</p>
        <label>
          <span>Token</span>
          <input type="password" autoComplete="off" required value={value} onChange={(e) => setValue(e.target.value)} />
        </label>
        <button type="submit" className="btn btn-primary">
          Sign in
        </button>
        <ErrorBox error={err} />
      </form>
    </div>
  );
}
