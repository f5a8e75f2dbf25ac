// planmine web: scroll a document to ?page=N, and follow an upload's ingest. No inline script anywhere.
"use strict";

function scrollToPage() {
  const params = new URLSearchParams(window.location.search);
  const page = params.get("page");
  if (!page) return;
  const target = document.getElementById("page-" + page);
  if (!target) return;
  target.classList.add("target");
  target.scrollIntoView({ block: "start" });
}

function followJob() {
  const job = document.getElementById("job");
  if (!job || job.dataset.state === "done") return;
  const words = { done: job.dataset.done, running: job.dataset.running, queued: job.dataset.queued };
  const rows = document.querySelectorAll("#job-files tbody tr");
  const poll = async () => {
    let data;
    try {
      const response = await fetch("/api/jobs/" + encodeURIComponent(job.dataset.job), {
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      data = await response.json();
    } catch (e) {
      window.setTimeout(poll, 2000);
      return;
    }
    job.dataset.state = data.state;
    job.querySelector(".job-state").textContent = words[data.state] || data.state;
    job.querySelector(".job-completed").textContent = String(data.completed);
    job.querySelector("progress").value = data.completed;
    data.files.forEach((f, i) => {
      const row = rows[i];
      if (!row) return;
      const cells = row.querySelectorAll("td");
      cells[1].textContent = f.status;
      cells[1].className = "status status-" + f.status;
      cells[2].textContent = f.region || "";
      cells[3].textContent = String(f.pages);
      cells[4].textContent = [f.reason, ...(f.warnings || [])].filter(Boolean).join(" · ");
    });
    if (data.state !== "done") window.setTimeout(poll, 700);
  };
  window.setTimeout(poll, 300);
}

document.addEventListener("DOMContentLoaded", () => {
  scrollToPage();
  followJob();
});
