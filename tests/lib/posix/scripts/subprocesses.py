"""subprocess: run, Popen, pipes both ways, input, check, timeout, cwd, env, shell, errors."""
import os
import subprocess
import sys

PY = sys.executable

r = subprocess.run(["cat"], input="fed in\n", capture_output=True, text=True)
print(repr(r.stdout), repr(r.stderr), r.returncode)
print(subprocess.run(["sort"], input=b"b\na\n", stdout=subprocess.PIPE).stdout)
print(subprocess.check_output([PY, "child.py", "echo", "from", "python"]))
try:
    subprocess.run(["false"], check=True)
except subprocess.CalledProcessError as e:
    print("CalledProcessError", e.returncode, e.cmd)
try:
    subprocess.run(["no-such-command-here"])
except FileNotFoundError as e:
    print("FileNotFoundError", e.errno, e.filename)
with subprocess.Popen(["seq", "3"], stdout=subprocess.PIPE, text=True) as p:
    print([line.strip() for line in p.stdout], p.wait())
try:
    subprocess.run(["sleep", "5"], timeout=0.3)
except subprocess.TimeoutExpired as e:
    print("TimeoutExpired", round(e.timeout, 1))
try:
    subprocess.run(["sleep", "5"], capture_output=True, timeout=0.3)
except subprocess.TimeoutExpired as e:
    print("TimeoutExpired", round(e.timeout, 1))
os.makedirs("sub", exist_ok=True)
r = subprocess.run("echo $X; pwd", shell=True, env={"X": "from env", "PATH": os.environ["PATH"]},
                   cwd="sub", capture_output=True, text=True)
x, where = r.stdout.splitlines()
print(x, where.endswith("/sub"), os.path.basename(os.getcwd()) != "sub")
print(subprocess.getoutput("echo go"), subprocess.call(["true"]))
r = subprocess.run(["ls", "/no-such-dir"], capture_output=True, text=True)
print(r.returncode, repr(r.stdout), r.stderr)
r = subprocess.run(["sh", "-c", "echo out; echo err >&2; exit 3"], stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT)
print(r.stdout, r.returncode)
big = "x" * 200_000 + "\n"
r = subprocess.run(["wc", "-c"], input=big, capture_output=True, text=True)
print(r.stdout.split())
sys.stdout.flush()
print(os.system("echo via os.system; exit 4") >> 8)
