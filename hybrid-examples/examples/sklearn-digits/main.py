"""An NNI trial: an SVC on scikit-learn's digits, tuned by C, kernel, degree, gamma and coef0.

Nothing here is Hybrid-specific: it is a plain NNI trial script (`import nni`) and runs unchanged under NNI or Hybrid.
Needs scikit-learn (Debian: apt-get install python3-sklearn).
"""
import logging

import nni
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

LOG = logging.getLogger("sklearn_digits")


def load_data():
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.data, digits.target, random_state=99, test_size=0.25)
    scaler = StandardScaler().fit(x_train)
    return scaler.transform(x_train), scaler.transform(x_test), y_train, y_test


def run(params):
    x_train, x_test, y_train, y_test = load_data()
    model = SVC(C=params.get("C", 1.0), kernel=params.get("kernel", "linear"), degree=params.get("degree", 3),
                gamma=params.get("gamma", 0.01), coef0=params.get("coef0", 0.01))
    model.fit(x_train, y_train)
    score = model.score(x_test, y_test)
    LOG.debug("score: %s", score)
    nni.report_final_result(score)


if __name__ == "__main__":
    run(nni.get_next_parameter())
