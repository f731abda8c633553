"""Run the ASGI server (HTTP + WebSocket) and a django-q2 worker together.

This is the embedded mode's one process to start; Ctrl-C stops both. In
production run the two as separate services instead (see README).
"""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start uvicorn and qcluster together; stop both on Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="Start only the web server.")

    def handle(self, *args, host: str, port: int, no_worker: bool, **options):
        python = sys.executable
        commands = [[python, "-m", "uvicorn", "config.asgi:application", "--host", host, "--port", str(port),
                     "--no-access-log"]]
        if not no_worker:
            commands.append([python, "manage.py", "qcluster"])
        processes = [subprocess.Popen(command, env=os.environ.copy()) for command in commands]
        self.stdout.write(self.style.SUCCESS(f"StageCraft is running at http://{host}:{port}/  (Ctrl-C stops it)"))
        try:
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
            self.stderr.write("A StageCraft process exited; stopping the others.")
        except KeyboardInterrupt:
            self.stdout.write("Stopping…")
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            deadline = time.monotonic() + 15
            for process in processes:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
